using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>The repository's built programs, started as real processes.</summary>
internal static class Programs
{
    public static string Root { get; } = FindRoot();

    public static string Silo => Built("UnrolledGan.Silo");

    public static string Client => Built("UnrolledGan.SweepClient");

    public static Process Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var process = Process.Start(StartInfo(program, arguments, environment, workingDirectory))!;
        // Drain both pipes so a chatty process never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs the client to its end; fails the test if it takes longer than the timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunClientAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(Client, arguments, environment, workingDirectory))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"client {string.Join(' ', arguments)} did not end in {timeout}: {await output} {await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Waits until a silo answers `list` at the gateway.</summary>
    public static async Task WaitForGatewayAsync(string gateway, string workingDirectory)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while ((await RunClientAsync(["list", "--gateway", gateway], new Dictionary<string, string>(), workingDirectory, TimeSpan.FromMinutes(1))).ExitCode != 0)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"no silo answered at {gateway}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }

    /// <summary>A base port with the next few ports free too.</summary>
    public static int FreePorts(int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int first = Random.Shared.Next(20_000, 60_000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }
        throw new InvalidOperationException("no free ports");
    }

    /// <summary>Processes whose command line holds the text (Linux /proc).</summary>
    public static IReadOnlyList<int> ProcessesWith(string text) => Directory.GetDirectories("/proc")
        .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out int pid) ? pid : -1, Dir: d))
        .Where(p => p.Pid > 0 && CommandLine(p.Dir).Contains(text, StringComparison.Ordinal))
        .Select(p => p.Pid)
        .ToArray();

    private static string CommandLine(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Built(string name)
    {
        string configuration = AppContext.BaseDirectory.Contains("/debug/", StringComparison.OrdinalIgnoreCase) ? "debug" : "release";
        string path = Path.Combine(Root, "artifacts", "bin", name, configuration, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"build {name} first", path);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "UnrolledGan.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository root (UnrolledGan.sln) was not found");
    }
}
