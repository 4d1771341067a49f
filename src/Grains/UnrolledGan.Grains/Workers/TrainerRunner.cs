using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Telemetry;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// Runs and supervises this silo's trainer processes. It follows each run's JSON progress lines and forwards them to
/// the sweep at most once per <see cref="WorkerOptions.ProgressInterval"/>, with a heartbeat when the lines pause;
/// each report renews the run's lease, and a run that lost it (cancelled, or handed on) is killed. When the process
/// ends, the slot is freed, however it ended, and the outcome is reported until the sweep records it.
/// When the silo stops, its trainers are asked to checkpoint (SIGTERM) and given a grace period before they are
/// killed. Registered after Orleans, so it stops first, while the silo can still tell sweeps the runs were interrupted.
/// </summary>
public sealed class TrainerRunner(
    IGrainFactory grains, WorkerSlots slots, SweepMetrics metrics,
    IOptions<WorkerOptions> options, ILogger<TrainerRunner> logger) : IHostedService
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Run> _runs = new();

    public string TrainerPath { get; } = TrainerExecutable.Find(options.Value.TrainerPath);

    public bool Stopping { get; private set; }

    public IReadOnlyCollection<int> ProcessIds => _runs.Values.Select(r => r.Process.Id).ToArray();

    /// <summary>Starts the run in the reserved slot; starting a run that already exists does nothing.</summary>
    public void Start(JobLease lease, int slot, string folder)
    {
        if (Stopping)
        {
            throw new InvalidOperationException("the silo is stopping");
        }
        if (_runs.ContainsKey(lease.TrainerKey))
        {
            return;
        }
        var process = TrainerProcess.Start(TrainerPath, lease, slots[slot], folder);
        var run = new Run(lease, slots[slot], process);
        _runs[lease.TrainerKey] = run;
        logger.LogInformation("Job {JobId} run {Attempt} started as process {ProcessId}", lease.Spec.JobId, lease.Attempt, process.Id);
        _ = Task.Run(() => SuperviseAsync(run));
    }

    /// <summary>Kills the run's whole process tree; its end is reported as cancelled.</summary>
    public void Cancel(string trainerKey)
    {
        if (_runs.TryGetValue(trainerKey, out var run))
        {
            run.Cancelled = true;
            run.Process.KillTree();
        }
    }

    private async Task SuperviseAsync(Run run)
    {
        var lease = run.Lease;
        using var activity = SweepMetrics.Activities.StartActivity("job", ActivityKind.Internal, lease.TraceParent);
        activity?.SetTag("job.id", lease.Spec.JobId).SetTag("job.attempt", lease.Attempt).SetTag("job.unroll", lease.Spec.Unroll);
        var sweep = grains.GetGrain<ISweepGrain>(lease.Spec.SweepName);
        metrics.Running(1);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(run, sweep, stopHeartbeat.Token);
        JobOutcome outcome;
        try
        {
            ProgressEvent? last = null;
            var forwarded = DateTimeOffset.MinValue;
            while (await run.Process.ReadLineAsync() is { } line)
            {
                if (Parse(line) is not { } progress)
                {
                    continue;
                }
                last = progress;
                if (progress.StepsPerSecond is { } rate)
                {
                    metrics.StepsPerSecond(lease.Spec.JobId, rate);
                }
                run.Latest = new JobProgress(lease.Spec.JobId, progress.Step, progress.TotalSteps, progress.StepsPerSecond,
                    progress.EtaSeconds, lease.Silo, DateTimeOffset.UtcNow, lease.Attempt);
                if (run.Latest.UpdatedAt - forwarded >= options.Value.ProgressInterval || progress.Event == ProgressEvent.Kinds.Started)
                {
                    forwarded = run.Latest.UpdatedAt;
                    await ForwardAsync(run, sweep);
                }
            }
            outcome = Outcome(run, await run.Process.WaitForExitAsync(), last);
        }
        catch (Exception e)
        {
            run.Process.KillTree();
            outcome = new JobOutcome(lease.Spec.JobId, JobExit.Failed, $"supervision failed: {e.Message}", null, null, lease.Silo, -1, lease.Attempt);
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            _runs.TryRemove(lease.TrainerKey, out _);
            run.Process.Dispose();
            slots.Release(run.Slot);
            metrics.Running(-1);
            metrics.Stopped(lease.Spec.JobId);
        }
        await heartbeat;
        metrics.Duration(DateTimeOffset.UtcNow - run.Process.StartedAt);
        if (outcome.Exit == JobExit.Failed)
        {
            metrics.Failed();
            logger.LogWarning("Job {JobId} run {Attempt} failed: {Reason}", lease.Spec.JobId, lease.Attempt, outcome.FailureReason);
        }
        activity?.SetTag("job.exit", outcome.Exit.ToString());
        await ReportAsync(sweep, outcome);
    }

    /// <summary>Forwards the latest progress; a run that no longer holds its job is killed. Progress is best effort.</summary>
    private async Task ForwardAsync(Run run, ISweepGrain sweep)
    {
        try
        {
            if (run.Latest is { } latest && !await sweep.ReportProgressAsync(latest with { UpdatedAt = DateTimeOffset.UtcNow }))
            {
                logger.LogWarning("Job {JobId} run {Attempt} no longer holds its job; stopping it", run.Lease.Spec.JobId, run.Lease.Attempt);
                run.Cancelled = true;
                run.Process.KillTree();
            }
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Progress of job {JobId} not delivered", run.Lease.Spec.JobId);
        }
    }

    /// <summary>Progress lines may pause (a long evaluation); the sweep still hears that the run is alive.</summary>
    private async Task HeartbeatAsync(Run run, ISweepGrain sweep, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(HeartbeatPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await ForwardAsync(run, sweep);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static JobOutcome Outcome(Run run, int exitCode, ProgressEvent? last)
    {
        var exit = (run.Cancelled, exitCode) switch
        {
            (true, _) => JobExit.Cancelled,
            (_, 0) when last?.Event == ProgressEvent.Kinds.Completed => JobExit.Succeeded,
            (_, 2) => JobExit.BadInput,
            (_, 75) => JobExit.Busy,
            (_, 130) => JobExit.Interrupted,
            _ => JobExit.Failed,
        };
        string? reason = exit is JobExit.Succeeded or JobExit.Interrupted or JobExit.Busy
            ? null
            : $"exit code {exitCode}: {(run.Process.StderrTail is { Length: > 0 } tail ? tail : last?.Error ?? "no message")}";
        var result = exit == JobExit.Succeeded ? new RunLayout(run.Process.Folder).ReadResult() : null;
        return new JobOutcome(run.Lease.Spec.JobId, exit, reason, result?.Metrics ?? last?.Metrics, result?.Timings.TrainSeconds,
            run.Lease.Silo, exitCode, run.Lease.Attempt);
    }

    /// <summary>The sweep may be moving between silos; keep trying for a minute, since a lost report leaves the job running.</summary>
    private async Task ReportAsync(ISweepGrain sweep, JobOutcome outcome)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await sweep.JobEndedAsync(outcome);
                return;
            }
            catch (Exception e) when (attempt < 30)
            {
                logger.LogWarning(e, "Reporting the end of job {JobId} failed; retrying", outcome.JobId);
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch (Exception e)
            {
                // The sweep's heartbeat timeout requeues the job; its folder still holds the result or checkpoint.
                logger.LogError(e, "The end of job {JobId} could not be reported", outcome.JobId);
                return;
            }
        }
    }

    private static ProgressEvent? Parse(string line)
    {
        try
        {
            return line.StartsWith('{') ? JsonSerializer.Deserialize<ProgressEvent>(line, TrainerJson.Compact) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Stopping = true;
        var running = _runs.Values.ToArray();
        if (running.Length == 0)
        {
            return;
        }
        logger.LogInformation("Stopping {Count} trainer(s); they checkpoint within {Grace}", running.Length, options.Value.ShutdownGrace);
        foreach (var run in running)
        {
            run.Process.Terminate();
        }
        try
        {
            await Task.WhenAll(running.Select(r => r.Process.Exited)).WaitAsync(options.Value.ShutdownGrace, cancellationToken);
            // Let the supervisors report the interruptions before the silo goes.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            foreach (var run in running.Where(r => !r.Process.HasExited))
            {
                logger.LogWarning("Trainer {ProcessId} did not stop in time; killing it", run.Process.Id);
                run.Process.KillTree();
            }
        }
    }

    /// <summary>One supervised run. Latest and Cancelled are written by its supervisor and by Cancel; both are single values.</summary>
    private sealed class Run(JobLease lease, WorkerSlot slot, TrainerProcess process)
    {
        public JobLease Lease { get; } = lease;
        public WorkerSlot Slot { get; } = slot;
        public TrainerProcess Process { get; } = process;
        public volatile JobProgress? Latest;
        public volatile bool Cancelled;
    }
}
