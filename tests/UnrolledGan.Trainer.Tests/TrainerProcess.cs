using System.Diagnostics;
using System.Text.Json;

namespace UnrolledGan.Trainer.Tests;

/// <summary>The real trainer program run as a child process, as an orchestrator runs it.</summary>
internal sealed class TrainerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _error;

    private TrainerProcess(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        _process = Process.Start(TrainerExecutable.StartInfo(TrainerExecutable.Find(), arguments, environment))!;
        _error = _process.StandardError.ReadToEndAsync();
    }

    public static TrainerProcess Start(params string[] arguments) => new(arguments, null);

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment,
        params string[] arguments)
    {
        using var trainer = new TrainerProcess(arguments, environment);
        string output = await trainer._process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await trainer._process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (trainer._process.ExitCode, output, await trainer._error);
    }

    public int Id => _process.Id;

    /// <summary>Reads progress lines until one matches, then returns it.</summary>
    public async Task<ProgressEvent> WaitForAsync(Func<ProgressEvent, bool> match, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        while (await _process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            var progress = JsonSerializer.Deserialize<ProgressEvent>(line, TrainerJson.Compact)!;
            if (match(progress))
            {
                return progress;
            }
        }
        throw new InvalidOperationException($"the trainer exited ({await _error}) before the awaited event");
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Signal(int signal) => Process.Start("kill", [$"-{signal}", _process.Id.ToString()])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
