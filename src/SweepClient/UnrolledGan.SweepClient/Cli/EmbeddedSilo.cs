using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>
/// The one-machine default: a silo program started by this command on free loopback ports, with the embedded provider
/// (state in files under the results folder). It stops when the command does: Ctrl-C reaches it with the terminal's
/// SIGINT, other endings with SIGTERM from here, and a killed command through the silo's parent-process watch. Its
/// trainers checkpoint as it stops, so the same command resumes the sweep.
/// </summary>
internal sealed partial class EmbeddedSilo : IAsyncDisposable
{
    public const string EnvironmentVariable = "UNROLLEDGAN_SILO";
    private const string Name = "UnrolledGan.Silo";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly Queue<string> _errors = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EmbeddedSilo(Process process, string gateway, string? web, string logs)
    {
        _process = process;
        Gateway = gateway;
        WebUrl = web;
        Logs = logs;
    }

    public string Gateway { get; }

    /// <summary>The silo's dashboard and pages, or null when there is no free port for them.</summary>
    public string? WebUrl { get; }

    public string Logs { get; }

    public static async Task<EmbeddedSilo> StartAsync(string results, int? slots, CancellationToken cancellation)
    {
        string resultsFolder = Path.GetFullPath(results);
        int siloPort = FreePort(), gatewayPort = FreePort(), webPort = FreePort();
        string logs = Path.Combine(resultsFolder, ".logs");
        var start = new ProcessStartInfo(Find())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var settings = new Dictionary<string, string>
        {
            ["Cluster__Provider"] = "embedded",
            ["Cluster__SiloPort"] = siloPort.ToString(),
            ["Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Cluster__Instance"] = "0",
            ["Cluster__ParentProcessId"] = Environment.ProcessId.ToString(),
            ["Results__Folder"] = resultsFolder,
            ["Dashboard__Port"] = webPort.ToString(),
            ["Dashboard__Host"] = "127.0.0.1",
            ["Telemetry__PrometheusPort"] = "0",
            ["Logs__Folder"] = logs,
        };
        if (slots is { } cpuSlots)
        {
            settings["Workers__CpuSlots"] = cpuSlots.ToString();
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new EmbeddedSilo(process, $"127.0.0.1:{gatewayPort}", $"http://127.0.0.1:{webPort}", logs);
        process.OutputDataReceived += (_, e) => silo.Read(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => silo.Read(e.Data, error: true);
        process.Exited += (_, _) => silo._ready.TrySetException(new ClusterUnavailableException(
            $"the embedded silo stopped while starting (exit code {process.ExitCode}): {silo.LastErrors()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._ready.Task.WaitAsync(ReadyTimeout, cancellation);
        }
        catch (TimeoutException)
        {
            await silo.DisposeAsync();
            throw new ClusterUnavailableException($"the embedded silo did not start within {ReadyTimeout}; its log is in {logs}");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>Stops the silo gracefully (its trainers checkpoint), killing it only if it does not stop in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private void Read(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }
        if (!error && line == "silo ready")
        {
            _ready.TrySetResult();
        }
        if (error)
        {
            lock (_errors)
            {
                _errors.Enqueue(line);
                while (_errors.Count > 5)
                {
                    _errors.Dequeue();
                }
            }
        }
    }

    private string LastErrors()
    {
        lock (_errors)
        {
            return _errors.Count > 0 ? string.Join(" | ", _errors) : $"no message; see the log in {Logs}";
        }
    }

    /// <summary>$UNROLLEDGAN_SILO, else the silo beside this program (a published layout), else the repository's build.</summary>
    private static string Find()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new ClusterUnavailableException($"{EnvironmentVariable}='{configured}' does not exist");
        }
        string beside = Path.Combine(AppContext.BaseDirectory, Name);
        if (File.Exists(beside) && File.Exists(beside + ".dll"))
        {
            return beside;
        }
        string configuration = AppContext.BaseDirectory.Contains("/debug/", StringComparison.OrdinalIgnoreCase) ? "debug" : "release";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string built = Path.Combine(folder.FullName, "artifacts", "bin", Name, configuration, Name);
            if (File.Exists(built))
            {
                return built;
            }
        }
        throw new ClusterUnavailableException($"no silo program found; build the solution (bash scripts/setup.sh) or set {EnvironmentVariable}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
