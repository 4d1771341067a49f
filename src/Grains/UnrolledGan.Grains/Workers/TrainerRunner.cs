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
/// the sweep at most once per <see cref="WorkerOptions.ProgressInterval"/>, with a heartbeat when the lines pause.
/// Each acknowledged report renews the run's lease. A run that lost it (cancelled, or handed on) is killed, and a run
/// whose lease was not renewed for <see cref="WorkerOptions.LeaseTimeout"/> (this silo is cut off) is stopped after a
/// checkpoint, so the job can go elsewhere. When the process ends, the slot is freed, however it ended, the run is
/// appended to the job folder's run record, and the outcome is reported until the sweep records it.
/// When the silo stops, its trainers are asked to checkpoint (SIGTERM) and given a grace period before they are
/// killed. Registered after Orleans, so it stops first, while the silo can still tell sweeps the runs were interrupted.
/// </summary>
public sealed class TrainerRunner(
    IGrainFactory grains, WorkerSlots slots, SweepMetrics metrics,
    IOptions<WorkerOptions> options, ILogger<TrainerRunner> logger, OtlpExport? otlp = null) : IHostedService
{
    private readonly ConcurrentDictionary<string, Run> _runs = new();
    private readonly WorkerOptions _options = options.Value;

    public string TrainerPath { get; } = TrainerExecutable.Find(options.Value.TrainerPath);

    public bool Stopping { get; private set; }

    public IReadOnlyCollection<int> ProcessIds => _runs.Values.Select(r => r.Process.Id).ToArray();

    /// <summary>Starts the run in the reserved slot; starting a run that already exists does nothing.</summary>
    public void Start(JobLease lease, WorkerSlot slot, string folder)
    {
        if (Stopping)
        {
            throw new InvalidOperationException("the silo is stopping");
        }
        if (_runs.ContainsKey(lease.TrainerKey))
        {
            return;
        }
        // The job's span is the trainer's parent; it must not become the current span of the grain call that started it.
        var caller = Activity.Current;
        var activity = TelemetryNames.Activities.StartActivity("job", ActivityKind.Internal, lease.TraceParent);
        Activity.Current = caller;
        activity?.SetTag("job.id", lease.Spec.JobId).SetTag("job.attempt", lease.Attempt).SetTag("job.unroll", lease.Spec.Unroll);
        TrainerProcess process;
        try
        {
            process = TrainerProcess.Start(TrainerPath, lease, slot, folder, _options.TrainerMemoryLimitBytes, TrainerTelemetry(activity));
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
        var run = new Run(lease, slot, process, _options.StallTimeout, activity);
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
        // The supervisor's calls (progress, the end's report) are the job's children; this flow is the supervisor's own.
        using var activity = Activity.Current = run.Activity;
        var sweep = grains.GetGrain<ISweepWorkGrain>(lease.Spec.SweepName);
        RecordLostRuns(lease, run.Process.Folder);
        metrics.Running(1);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(run, sweep, stopHeartbeat.Token);
        JobOutcome outcome;
        try
        {
            var forwarded = DateTimeOffset.MinValue;
            while (await run.Process.ReadLineAsync() is var (line, tooLong) && (line is not null || tooLong))
            {
                if (tooLong)
                {
                    logger.LogWarning("Job {JobId} run {Attempt} wrote a progress line over {Limit} characters; skipped",
                        lease.Spec.JobId, lease.Attempt, TrainerProcess.MaxProgressLine);
                    continue;
                }
                if (Parse(line!) is not { } progress)
                {
                    continue;
                }
                run.Observe(progress);
                if (progress.Event == ProgressEvent.Kinds.Recovered)
                {
                    Recovered(run, progress.Error ?? "a damaged file was set aside");
                }
                if (progress.StepsPerSecond is { } rate)
                {
                    metrics.StepsPerSecond(lease.Spec.JobId, rate);
                }
                run.Latest = new JobProgress(lease.Spec.JobId, progress.Step, progress.TotalSteps, progress.StepsPerSecond,
                    progress.EtaSeconds, lease.Silo, DateTimeOffset.UtcNow, lease.Attempt, lease.Token);
                if (run.Latest.UpdatedAt - forwarded >= _options.ProgressInterval || progress.Event == ProgressEvent.Kinds.Started)
                {
                    forwarded = run.Latest.UpdatedAt;
                    await ForwardAsync(run, sweep);
                }
            }
            outcome = Outcome(run, await run.Process.WaitForExitAsync());
        }
        catch (Exception e)
        {
            run.Process.KillTree();
            outcome = new JobOutcome(lease.Spec.JobId, JobExit.Failed, $"supervision failed: {e.Message}", null, null, lease.Silo, -1,
                lease.Attempt, lease.Token);
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
        metrics.RunEnded(outcome.Exit, DateTimeOffset.UtcNow - run.Process.StartedAt);
        if (outcome.Exit == JobExit.Failed)
        {
            logger.LogWarning("Job {JobId} run {Attempt} failed: {Reason}", lease.Spec.JobId, lease.Attempt, outcome.FailureReason);
        }
        activity?.SetTag("job.exit", outcome.Exit.ToString());
        RecordRun(run, outcome);
        await ReportAsync(sweep, outcome);
    }

    /// <summary>With OTLP export on, the trainer exports its spans to the same place, as children of the job's span.</summary>
    private IReadOnlyDictionary<string, string> TrainerTelemetry(Activity? job) =>
        otlp is null || job is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(otlp.Environment) { [TrainerProtocol.TraceParentVariable] = job.Id! };

    /// <summary>Forwards the latest progress; a run that no longer holds its job is killed. Progress is best effort.</summary>
    private async Task ForwardAsync(Run run, ISweepWorkGrain sweep)
    {
        try
        {
            if (run.Latest is not { } latest)
            {
                return;
            }
            if (await sweep.ReportProgressAsync(latest with { UpdatedAt = DateTimeOffset.UtcNow }))
            {
                run.LeaseRenewedAt = DateTimeOffset.UtcNow;
                return;
            }
            logger.LogWarning("Job {JobId} run {Attempt} no longer holds its job; stopping it", run.Lease.Spec.JobId, run.Lease.Attempt);
            run.Cancelled = true;
            run.Process.KillTree();
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Progress of job {JobId} not delivered", run.Lease.Spec.JobId);
        }
    }

    /// <summary>
    /// Progress lines may pause (a long evaluation); the sweep still hears that the run is alive. A run whose lease
    /// went unrenewed too long is stopped here: its checkpoint lets the job resume wherever the sweep sends it next.
    /// </summary>
    private async Task HeartbeatAsync(Run run, ISweepWorkGrain sweep, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!run.Stalled && DateTimeOffset.UtcNow - run.AdvancedAt > _options.StallTimeout)
                {
                    // Heartbeats say the process lives, not that it trains: a run stuck on one step fails and is retried.
                    run.Stalled = true;
                    logger.LogWarning("Job {JobId} run {Attempt}: step {Step} has not advanced for {Timeout}; killing it",
                        run.Lease.Spec.JobId, run.Lease.Attempt, run.Last?.Step ?? 0, _options.StallTimeout);
                    run.Process.KillTree();
                }
                if (!run.LeaseLost && DateTimeOffset.UtcNow - run.LeaseRenewedAt > _options.LeaseTimeout)
                {
                    run.LeaseLost = true;
                    logger.LogWarning("Job {JobId} run {Attempt}: no sweep renewed its lease for {Timeout}; stopping it after a checkpoint",
                        run.Lease.Spec.JobId, run.Lease.Attempt, _options.LeaseTimeout);
                    run.Process.Terminate();
                    _ = KillIfStillRunningAsync(run);
                }
                // A cut-off silo's calls hang until Orleans' response timeout; the lease check above must not wait for them.
                await Task.WhenAny(ForwardAsync(run, sweep), Task.Delay(_options.HeartbeatPeriod, stop));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task KillIfStillRunningAsync(Run run)
    {
        if (await Task.WhenAny(run.Process.Exited, Task.Delay(_options.ShutdownGrace)) != run.Process.Exited)
        {
            logger.LogWarning("Trainer {ProcessId} did not stop within {Grace}; killing it", run.Process.Id, _options.ShutdownGrace);
            run.Process.KillTree();
        }
    }

    private JobOutcome Outcome(Run run, int exitCode)
    {
        var last = run.Last;
        var exit = ExitOf(run.Cancelled, exitCode, last);
        TrainingResult? result = null;
        if (exit == JobExit.Succeeded)
        {
            result = new RunLayout(run.Process.Folder).ReadResult(out string? damage);
            if (result is null)
            {
                // The trainer wrote it whole; what reads wrong now was damaged since. Its rerun rewrites it from the
                // last checkpoint, so no retry is spent on it.
                Recovered(run, damage ?? $"{TrainerProtocol.Files.Result} is missing after the run completed");
                exit = JobExit.Interrupted;
            }
        }
        string? reason = exit is JobExit.Succeeded or JobExit.Interrupted or JobExit.Busy
            ? null
            : run.Stalled
                ? $"stalled: step {last?.Step ?? 0} did not advance for {run.StallTimeout}, so the run was killed"
                : $"exit code {exitCode}: {(run.Process.StderrTail is { Length: > 0 } tail ? tail : last?.Error ?? "no message")}";
        return new JobOutcome(run.Lease.Spec.JobId, exit, reason, result?.Metrics ?? last?.Metrics, result?.Timings.TrainSeconds,
            run.Lease.Silo, exitCode, run.Lease.Attempt, run.Lease.Token, result is null ? null : Versions(result.Environment),
            result is null ? null : new GridPoint(result.Config.Unroll, result.Config.DiscriminatorSize, result.Config.Seed));
    }

    /// <summary>How the sweep acts on a run's end: as <see cref="TrainerProtocol.End"/> reads it, unless this silo cancelled the run.</summary>
    internal static JobExit ExitOf(bool cancelled, int exitCode, ProgressEvent? last) => cancelled
        ? JobExit.Cancelled
        : TrainerProtocol.End(exitCode, last) switch
        {
            RunEnd.Completed => JobExit.Succeeded,
            RunEnd.BadInput => JobExit.BadInput,
            RunEnd.Busy => JobExit.Busy,
            RunEnd.Interrupted => JobExit.Interrupted,
            _ => JobExit.Failed,
        };

    /// <summary>A damaged file of the job was set aside and the job went on without it: logged, and kept in the run's record.</summary>
    private void Recovered(Run run, string what)
    {
        run.Recovered.Add(what);
        logger.LogWarning("Job {JobId} run {Attempt}: {Recovery}", run.Lease.Spec.JobId, run.Lease.Attempt, what);
    }

    private static Dictionary<string, string> Versions(RunEnvironment environment) => new()
    {
        ["runtime"] = environment.Runtime,
        ["torchSharp"] = environment.TorchSharpVersion,
        ["libTorch"] = environment.LibTorchVersion,
        ["device"] = environment.Device,
        ["machine"] = environment.Machine,
        ["orchestrator"] = typeof(TrainerRunner).Assembly.GetName().Version?.ToString() ?? "",
    };

    /// <summary>
    /// One line per run in the job folder: when it was leased, started and ended, where, from which step, and whether
    /// this run trained the job to its end. A job trained to its end by two runs would be work done twice.
    /// </summary>
    private void RecordRun(Run run, JobOutcome outcome)
    {
        var record = new RunRecord(run.Lease.Attempt, run.Lease.Silo, run.Process.Id, run.Lease.LeasedAt, run.Process.StartedAt,
            run.TrainingStartedAt, run.ResumedFromStep, run.Last?.Step, run.TrainingStartedAt is not null && outcome.Exit == JobExit.Succeeded,
            outcome.Exit.ToString(), outcome.ExitCode, DateTimeOffset.UtcNow, run.Recovered is [] ? null : run.Recovered);
        try
        {
            File.AppendAllText(new RunLayout(run.Process.Folder).Runs, JsonSerializer.Serialize(record, TrainerJson.Compact) + "\n");
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "The run record of job {JobId} could not be written", run.Lease.Spec.JobId);
        }
    }

    /// <summary>
    /// The job's earlier runs that its sweep gave up on, recorded before this run's own line: their silo died before
    /// it could write theirs. Each goes in once, unless a line for its attempt is there already (a silo that was only
    /// cut off writes its own when it stops its trainer; written later, both lines stay, each telling its side).
    /// </summary>
    private void RecordLostRuns(JobLease lease, string folder)
    {
        if (lease.LostRuns is not { Count: > 0 } lost)
        {
            return;
        }
        string path = new RunLayout(folder).Runs;
        try
        {
            var recorded = File.Exists(path) ? File.ReadLines(path).Select(RunRecord.AttemptOf).ToHashSet() : [];
            string lines = string.Concat(lost.Where(r => !recorded.Contains(r.Attempt))
                .Select(r => JsonSerializer.Serialize(RunRecord.Of(r), TrainerJson.Compact) + "\n"));
            File.AppendAllText(path, lines);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "The lost runs of job {JobId} could not be recorded", lease.Spec.JobId);
        }
    }

    /// <summary>The sweep may be moving between silos, or waiting for its database; a lost report leaves the job running.</summary>
    private async Task ReportAsync(ISweepWorkGrain sweep, JobOutcome outcome)
    {
        var deadline = DateTimeOffset.UtcNow + _options.EndReportTimeout;
        while (true)
        {
            try
            {
                await sweep.JobEndedAsync(outcome);
                return;
            }
            catch (Exception e) when (DateTimeOffset.UtcNow < deadline)
            {
                logger.LogWarning("Reporting the end of job {JobId} failed ({Problem}); retrying", outcome.JobId, e.Message);
                await Task.Delay(_options.EndReportRetryDelay);
            }
            catch (Exception e)
            {
                // The sweep's silence timeout requeues the job; its folder still holds the result or checkpoint.
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
        logger.LogInformation("Stopping {Count} trainer(s); they checkpoint within {Grace}", running.Length, _options.ShutdownGrace);
        foreach (var run in running)
        {
            run.Process.Terminate();
        }
        try
        {
            await Task.WhenAll(running.Select(r => r.Process.Exited)).WaitAsync(_options.ShutdownGrace, cancellationToken);
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

    /// <summary>
    /// One supervised run. Its supervisor writes the progress fields; Cancelled and LeaseLost are also set by Cancel and
    /// the heartbeat. Each is a single value read without a lock.
    /// </summary>
    private sealed class Run(JobLease lease, WorkerSlot slot, TrainerProcess process, TimeSpan stallTimeout, Activity? activity)
    {
        /// <summary>The job's span, from the process's start to its end; its supervisor ends it.</summary>
        public Activity? Activity { get; } = activity;
        public JobLease Lease { get; } = lease;
        public WorkerSlot Slot { get; } = slot;
        public TrainerProcess Process { get; } = process;
        public volatile JobProgress? Latest;
        public volatile bool Cancelled;
        public volatile bool LeaseLost;
        public volatile bool Stalled;
        public TimeSpan StallTimeout { get; } = stallTimeout;
        private long _leaseRenewedTicks = DateTimeOffset.UtcNow.UtcTicks;

        /// <summary>Written by the supervisor and the heartbeat alike, so it is kept as ticks and read atomically.</summary>
        public DateTimeOffset LeaseRenewedAt
        {
            get => new(Interlocked.Read(ref _leaseRenewedTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _leaseRenewedTicks, value.UtcTicks);
        }

        public ProgressEvent? Last { get; private set; }

        /// <summary>What was set aside as damaged during this run, and what the run did instead; written by the supervisor only.</summary>
        public List<string> Recovered { get; } = [];
        public DateTimeOffset? TrainingStartedAt { get; private set; }
        public int? ResumedFromStep { get; private set; }

        private long _advancedTicks = DateTimeOffset.UtcNow.UtcTicks;

        /// <summary>When the step count last went up (or the run started); read by the heartbeat.</summary>
        public DateTimeOffset AdvancedAt => new(Interlocked.Read(ref _advancedTicks), TimeSpan.Zero);

        public void Observe(ProgressEvent progress)
        {
            if (progress.Step > (Last?.Step ?? -1))
            {
                Interlocked.Exchange(ref _advancedTicks, DateTimeOffset.UtcNow.UtcTicks);
            }
            Last = progress;
            if (progress.Event == ProgressEvent.Kinds.Started)
            {
                TrainingStartedAt = DateTimeOffset.UtcNow;
                ResumedFromStep = progress.ResumedFromStep;
            }
        }
    }
}

/// <summary>
/// A line of a job folder's run record (runs.jsonl); Recovered lists the damaged files the run set aside. A run its
/// sweep gave up on is a line with exit "Lost", written by the runner of the job's next run from what the sweep knew:
/// no process, no steps, EndedAt when the sweep gave up on it, and Reason why.
/// </summary>
internal sealed record RunRecord(
    int Attempt, string Silo, int? ProcessId, DateTimeOffset LeasedAt, DateTimeOffset? ProcessStartedAt,
    DateTimeOffset? TrainingStartedAt, int? ResumedFromStep, int? LastStep, bool TrainedToEnd, string Exit, int? ExitCode,
    DateTimeOffset EndedAt, IReadOnlyList<string>? Recovered, string? Reason = null)
{
    public const string LostExit = "Lost";

    public static RunRecord Of(LostRun run) =>
        new(run.Attempt, run.Silo, null, run.LeasedAt, null, null, null, null, false, LostExit, null, run.LostAt, null, run.Reason);

    /// <summary>The attempt a line records; -1 for a line that is not a record (cut short, say).</summary>
    public static int AttemptOf(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(line, TrainerJson.Compact)?.Attempt ?? -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }
}
