using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Hosting;

/// <summary>
/// Stops this silo, gracefully, when the process that started it ends: `run`'s embedded silo must not outlive the
/// command, however the command ended (Ctrl-C is forwarded; kill -9 is not, and this catches it).
/// </summary>
internal sealed class ParentProcessWatch(IOptions<ClusteringOptions> options, IHostApplicationLifetime lifetime,
    ILogger<ParentProcessWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int pid = options.Value.ParentProcessId!.Value;
        Process parent;
        try
        {
            parent = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            logger.LogWarning("Parent process {ProcessId} is already gone; stopping", pid);
            lifetime.StopApplication();
            return;
        }
        using (parent)
        {
            try
            {
                await parent.WaitForExitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        logger.LogWarning("Parent process {ProcessId} ended; stopping this silo", pid);
        lifetime.StopApplication();
    }
}
