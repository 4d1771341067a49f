using System.Diagnostics;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The built silo, and running a program to its end as a test does.</summary>
public static class Processes
{
    /// <summary>The silo as the build left it, for this test's configuration.</summary>
    public static string Silo
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains("/debug/", StringComparison.OrdinalIgnoreCase) ? "debug" : "release";
            string name = Contract.Silo.AssemblyName;
            string silo = Path.Combine(DeployFiles.RepositoryRoot, "artifacts", "bin", name, configuration, name);
            File.Exists(silo).ShouldBeTrue($"build {silo} first");
            return silo;
        }
    }

    /// <summary>Runs the program to its end and returns its exit code; fails the test if it takes over a minute.</summary>
    public static async Task<int> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not end: {await output} {await error}");
        }
        await Task.WhenAll(output, error);
        return process.ExitCode;
    }
}
