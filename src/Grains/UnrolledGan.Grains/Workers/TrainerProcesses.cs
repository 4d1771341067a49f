using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// Every trainer process this silo runs. When the silo stops, its trainers are asked to checkpoint (SIGTERM) and
/// given a grace period before they are killed; their jobs then resume from the checkpoint on the next start.
/// Registered after Orleans, so it stops first, while the silo can still tell sweeps the jobs were interrupted.
/// </summary>
public sealed class TrainerProcesses(IOptions<WorkerOptions> options, ILogger<TrainerProcesses> logger) : IHostedService
{
    private readonly ConcurrentDictionary<int, TrainerProcess> _running = new();

    public string TrainerPath { get; } = Trainer.TrainerExecutable.Find(options.Value.TrainerPath);

    public bool Stopping { get; private set; }

    public TrainerProcess Start(JobLease lease, WorkerSlot slot, string folder)
    {
        if (Stopping)
        {
            throw new InvalidOperationException("the silo is stopping");
        }
        var process = TrainerProcess.Start(TrainerPath, lease, slot, folder);
        _running[process.Id] = process;
        return process;
    }

    public void Forget(TrainerProcess process) => _running.TryRemove(process.Id, out _);

    public IReadOnlyCollection<int> ProcessIds => _running.Keys.ToArray();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Stopping = true;
        var running = _running.Values.ToArray();
        if (running.Length == 0)
        {
            return;
        }
        logger.LogInformation("Stopping {Count} trainer(s); they checkpoint within {Grace}", running.Length, options.Value.ShutdownGrace);
        foreach (var process in running)
        {
            process.Terminate();
        }
        try
        {
            await Task.WhenAll(running.Select(p => p.Exited)).WaitAsync(options.Value.ShutdownGrace, cancellationToken);
            // Let the trainer grains report the interruptions before the silo goes.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            foreach (var process in running.Where(p => !p.HasExited))
            {
                logger.LogWarning("Trainer {ProcessId} did not stop in time; killing it", process.Id);
                process.KillTree();
            }
        }
    }
}
