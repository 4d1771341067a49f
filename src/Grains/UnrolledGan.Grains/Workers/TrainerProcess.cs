using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// One trainer child process: started with the job's config and folder, resumable (--resume), tied to this silo
/// (--parent-pid) and pinned to its slot's GPU. Its stdout is the JSON progress protocol; stderr is kept for errors.
/// </summary>
public sealed partial class TrainerProcess : IDisposable
{
    private const int StderrLines = 20;

    /// <summary>A failure reason keeps this much of the end of stderr: enough for an error, never a flood.</summary>
    public const int StderrTailLength = 2048;

    /// <summary>Progress lines are small JSON objects; a longer line is skipped, with a warning.</summary>
    public const int MaxProgressLine = 64 * 1024;

    private BoundedLineReader? _stdout;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TrainerProcess(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    public string Folder { get; }

    public int Id { get; private set; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <param name="memoryLimit">Bytes of RLIMIT_DATA the trainer sets for itself (Workers:TrainerMemoryLimit).</param>
    /// <param name="telemetry">Variables that let the trainer's spans join the job's trace (OTEL_EXPORTER_OTLP_*, TRACEPARENT).</param>
    public static TrainerProcess Start(string trainer, JobLease lease, WorkerSlot slot, string folder, long memoryLimit,
        IReadOnlyDictionary<string, string> telemetry)
    {
        Directory.CreateDirectory(folder);
        string config = new RunLayout(folder).Job;
        AtomicFile.WriteAllText(config, lease.Spec.ConfigJson);
        var start = TrainerExecutable.StartInfo(trainer,
        [
            "train", "--config", config, "--out", folder, "--resume",
            "--job-id", lease.Spec.JobId, "--parent-pid", Environment.ProcessId.ToString(),
        ]);
        // A GPU slot sees only its own device; a CPU slot sees none.
        start.Environment["CUDA_VISIBLE_DEVICES"] = slot.Device ?? "";
        start.Environment[TrainerMemoryLimit.EnvironmentVariable] = memoryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in telemetry)
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var trainerProcess = new TrainerProcess(process, folder);
        process.ErrorDataReceived += (_, e) => trainerProcess.KeepStderr(e.Data);
        process.Exited += (_, _) => trainerProcess._exited.TrySetResult();
        process.Start();
        process.BeginErrorReadLine();
        trainerProcess.Id = process.Id;
        return trainerProcess;
    }

    /// <summary>The next progress line, or (null, false) at the end of the stream; (null, true) for a line over the limit.</summary>
    public Task<(string? Line, bool TooLong)> ReadLineAsync() =>
        (_stdout ??= new BoundedLineReader(_process.StandardOutput, MaxProgressLine)).ReadLineAsync();

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Completes when the process has exited; safe to await from anywhere, even after the owner disposed it.</summary>
    public Task Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The end of what the trainer wrote to stderr (its one-line error, or a native abort's message), at most 2 KB.</summary>
    public string StderrTail
    {
        get
        {
            string tail = string.Join(" | ", _stderr.Where(l => !string.IsNullOrWhiteSpace(l)));
            return tail.Length <= StderrTailLength ? tail : "…" + tail[^(StderrTailLength - 1)..];
        }
    }

    /// <summary>SIGTERM: the trainer finishes its step, checkpoints and exits with 130.</summary>
    public void Terminate()
    {
        if (!HasExited)
        {
            _ = Kill(Id, Sigterm);
        }
    }

    /// <summary>SIGKILL to the trainer and everything it started.</summary>
    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Already exited.
        }
    }

    public void Dispose() => _process.Dispose();

    private void KeepStderr(string? line)
    {
        if (line is null)
        {
            return;
        }
        _stderr.Enqueue(line.Length <= StderrTailLength ? line : "…" + line[^(StderrTailLength - 1)..]);
        while (_stderr.Count > StderrLines && _stderr.TryDequeue(out _))
        {
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
