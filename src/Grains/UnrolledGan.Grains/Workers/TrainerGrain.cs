using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using UnrolledGan.Grains.Telemetry;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// Runs one run of one job as a Trainer child process, never inside the silo: a native abort ends the job, not the
/// silo. It follows the JSON progress lines on the grain's own scheduler and reports how the process ended.
/// </summary>
[PreferLocalPlacement]
public sealed class TrainerGrain(
    TrainerProcesses processes, WorkerSlots slots, IOptions<ResultsOptions> results, IOptions<WorkerOptions> workers,
    ILocalSiloDetails silo, SweepMetrics metrics, ILogger<TrainerGrain> logger) : Grain, ITrainerGrain
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(30);
    private TrainerProcess? _process;
    private bool _started;
    private JobProgress? _latest;
    private bool _cancelled;

    public Task StartAsync(JobLease lease, int slot)
    {
        if (_started)
        {
            return Task.CompletedTask;
        }
        if (lease.Silo != silo.SiloAddress.ToParsableString())
        {
            throw new InvalidOperationException($"job {lease.Spec.JobId} was leased to {lease.Silo}, not to this silo");
        }
        _process = processes.Start(lease, slots[slot], results.Value.JobFolder(lease.Spec.SweepName, lease.Spec.JobId));
        _started = true;
        logger.LogInformation("Job {JobId} run {Attempt} started as process {ProcessId}", lease.Spec.JobId, lease.Attempt, _process.Id);
        _ = FollowAsync(lease, slots[slot], _process);
        // Progress lines may pause (a long evaluation); the sweep still hears that the run is alive.
        var sweep = GrainFactory.GetGrain<ISweepGrain>(lease.Spec.SweepName);
        this.RegisterGrainTimer(() => _latest is { } latest && _process is not null
                ? sweep.ReportProgressAsync(latest with { UpdatedAt = DateTimeOffset.UtcNow })
                : Task.CompletedTask,
            new GrainTimerCreationOptions(HeartbeatPeriod, HeartbeatPeriod) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task CancelAsync()
    {
        _cancelled = true;
        _process?.KillTree();
        return Task.CompletedTask;
    }

    private async Task FollowAsync(JobLease lease, WorkerSlot slot, TrainerProcess process)
    {
        using var activity = SweepMetrics.Activities.StartActivity("job", ActivityKind.Internal, lease.TraceParent);
        activity?.SetTag("job.id", lease.Spec.JobId).SetTag("job.attempt", lease.Attempt).SetTag("job.unroll", lease.Spec.Unroll);
        var sweep = GrainFactory.GetGrain<ISweepGrain>(lease.Spec.SweepName);
        string siloName = silo.SiloAddress.ToParsableString();
        metrics.Running(1);
        ProgressEvent? last = null;
        var forwarded = DateTimeOffset.MinValue;
        JobOutcome outcome;
        try
        {
            while (await process.ReadLineAsync() is { } line)
            {
                this.DelayDeactivation(TimeSpan.FromMinutes(30));
                if (Parse(line) is not { } progress)
                {
                    continue;
                }
                last = progress;
                if (progress.StepsPerSecond is { } rate)
                {
                    metrics.StepsPerSecond(lease.Spec.JobId, rate);
                }
                var now = DateTimeOffset.UtcNow;
                _latest = new JobProgress(lease.Spec.JobId, progress.Step, progress.TotalSteps, progress.StepsPerSecond, progress.EtaSeconds, siloName, now);
                if (now - forwarded >= workers.Value.ProgressInterval || progress.Event == ProgressEvent.Kinds.Started)
                {
                    forwarded = now;
                    await sweep.ReportProgressAsync(_latest);
                }
            }
            int exitCode = await process.WaitForExitAsync();
            outcome = Outcome(lease, exitCode, last, process, siloName);
        }
        catch (Exception e)
        {
            process.KillTree();
            outcome = new JobOutcome(lease.Spec.JobId, JobExit.Failed, $"supervision failed: {e.Message}", null, null, siloName, -1, lease.Attempt);
        }
        finally
        {
            _process = null;
            processes.Forget(process);
            process.Dispose();
            slots.Release(slot);
            metrics.Running(-1);
            metrics.Stopped(lease.Spec.JobId);
        }
        metrics.Duration(DateTimeOffset.UtcNow - process.StartedAt);
        if (outcome.Exit == JobExit.Failed)
        {
            metrics.Failed();
            logger.LogWarning("Job {JobId} run {Attempt} failed: {Reason}", lease.Spec.JobId, lease.Attempt, outcome.FailureReason);
        }
        activity?.SetTag("job.exit", outcome.Exit.ToString());
        await ReportAsync(sweep, outcome);
        DeactivateOnIdle();
    }

    private JobOutcome Outcome(JobLease lease, int exitCode, ProgressEvent? last, TrainerProcess process, string siloName)
    {
        var exit = (_cancelled, exitCode) switch
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
            : $"exit code {exitCode}: {(process.StderrTail is { Length: > 0 } tail ? tail : last?.Error ?? "no message")}";
        var result = exit == JobExit.Succeeded ? ReadResult(process.Folder) : null;
        return new JobOutcome(lease.Spec.JobId, exit, reason, result?.Metrics ?? last?.Metrics, result?.Timings.TrainSeconds,
            siloName, exitCode, lease.Attempt);
    }

    /// <summary>The sweep may be moving between silos; keep trying, since a lost report would leave the job running.</summary>
    private async Task ReportAsync(ISweepGrain sweep, JobOutcome outcome)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await sweep.JobEndedAsync(outcome);
                return;
            }
            catch (Exception e) when (attempt < 5)
            {
                logger.LogWarning(e, "Reporting job {JobId} failed; retrying", outcome.JobId);
                await Task.Delay(TimeSpan.FromSeconds(attempt));
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

    private static TrainingResult? ReadResult(string folder)
    {
        string path = new RunLayout(folder).Result;
        return File.Exists(path) ? JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(path), TrainerJson.Options) : null;
    }
}
