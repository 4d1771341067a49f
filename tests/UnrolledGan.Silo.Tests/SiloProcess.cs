using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UnrolledGan.Silo.Tests;

/// <summary>The built silo program, started as a real process with settings in its environment.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static string Program { get; } = Find("UnrolledGan.Silo");

    public static string Client { get; } = Find("UnrolledGan.SweepClient");

    /// <summary>Settings every test silo needs: its own folders and free ports, nothing shared with other tests.</summary>
    public static Dictionary<string, string> Isolated(string folder) => new()
    {
        ["Results__Folder"] = Path.Combine(folder, "results"),
        ["Logs__Folder"] = Path.Combine(folder, "logs"),
        ["Cluster__SiloPort"] = FreePort().ToString(),
        ["Cluster__GatewayPort"] = FreePort().ToString(),
        ["Dashboard__Port"] = "0",
        ["Telemetry__PrometheusPort"] = "0",
        ["Workers__Gpus"] = "none",
        ["Workers__CpuSlots"] = "1",
    };

    public static SiloProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartProgram(Program, environment, arguments);

    /// <summary>Runs the sweep client to its end: exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunClientAsync(IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, params string[] arguments)
    {
        await using var client = StartProgram(Client, environment, arguments);
        int code = await client.WaitForExitAsync(timeout);
        return (code, client.Output, client.Error);
    }

    private static SiloProcess StartProgram(string program, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var silo = new SiloProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        silo._process.OutputDataReceived += (_, e) => silo.Keep(silo._output, e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Keep(silo._errors, e.Data);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Runs the program to its end: exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, params string[] arguments)
    {
        await using var silo = Start(environment, arguments);
        int code = await silo.WaitForExitAsync(timeout);
        return (code, silo.Output, silo.Error);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    /// <summary>Completes at the silo's "silo ready" line; fails if it exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        if (await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout)) != _ready.Task)
        {
            throw new InvalidOperationException($"the silo did not become ready: {Output}\n{Error}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        // The asynchronous readers may still hold the last lines; WaitForExit() without a timeout drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The TCP ports this process listens on, from /proc: its socket inodes matched against the listening sockets.</summary>
    public IReadOnlySet<int> ListeningPorts()
    {
        var inodes = Directory.GetFiles($"/proc/{Id}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target?.StartsWith("socket:[", StringComparison.Ordinal) == true)
            .Select(target => target!["socket:[".Length..^1])
            .ToHashSet();
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .SelectMany(File.ReadLines)
            .Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
            .Select(fields => Convert.ToInt32(fields[1].Split(':')[1], 16))
            .ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add(line);
        }
        if (line == "silo ready")
        {
            _ready.TrySetResult();
        }
    }

    private static string Find(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string built = Path.Combine(folder.FullName, "artifacts", "bin", name, "release", name);
            if (File.Exists(built))
            {
                return built;
            }
        }
        throw new FileNotFoundException($"build {name} first (dotnet build -c Release)");
    }
}
