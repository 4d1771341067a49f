using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Results;
using UnrolledGan.Grains.Telemetry;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// Owns one sweep: expands its grid once, hands queued jobs to worker slots that ask for them, records every run's
/// end, retries failures within the budget, requeues runs lost with their silo, and writes the table at the end.
/// Every state change is written before the call that caused it returns, so a restart loses nothing.
/// </summary>
public sealed class SweepGrain(
    [PersistentState("sweep", StorageNames.Sweeps)] IPersistentState<SweepState> state,
    IClusterMembershipService membership, IOptions<ResultsOptions> results, IOptions<WorkerOptions> workers,
    IRecordedResults recorded, SweepMetrics metrics, ILogger<SweepGrain> logger) : Grain, ISweepGrain, ISweepWorkGrain
{
    private static readonly TimeSpan LostCheckPeriod = TimeSpan.FromSeconds(3);
    private readonly Dictionary<string, JobProgress> _progress = [];
    private readonly RunLiveness _liveness = new(membership, workers.Value);
    private readonly SweepGauges _gauges = new(metrics);
    private SweepBook? _book;

    /// <summary>The catalog missed this sweep's latest counts (it could not be reached); the timer tries again.</summary>
    private bool _catalogBehind;

    /// <summary>The report written when the sweep completed; later queries return it rather than write it again.</summary>
    private SweepResults? _completedReport;

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is { } spec)
        {
            _book = new SweepBook(state.State.Jobs, spec.Retries, spec.Concurrency);
            _gauges.Update(state.State);
        }
        this.RegisterGrainTimer(RequeueLostAsync, new GrainTimerCreationOptions(LostCheckPeriod, LostCheckPeriod) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _gauges.Clear();
        return Task.CompletedTask;
    }

    public async Task<SweepStatus> SubmitAsync(SweepSpec spec)
    {
        if (spec.Name != Name)
        {
            throw new SweepSpecException("name", $"'{spec.Name}' was submitted to the sweep named '{Name}'");
        }
        string fingerprint = SweepPlanner.Fingerprint(spec);
        var jobs = SweepPlanner.Expand(spec, results.Value.MaxJobsPerSweep);
        if (state.State.Spec is not null)
        {
            // Job ids hash each job's full config, so a preset that changed between versions also counts as different.
            if (state.State.Fingerprint != fingerprint || !state.State.Jobs.Select(j => j.Spec.JobId).SequenceEqual(jobs.Select(j => j.JobId)))
            {
                throw new SweepSpecException("name",
                    $"a sweep named '{Name}' already exists with a different spec or job configs; choose another name (--name)");
            }
            if (_book!.Reopen())
            {
                _completedReport = null;
                state.State.Phase = SweepPhase.Running;
                await SaveAsync();
            }
            return Status();
        }
        state.State = new SweepState
        {
            Spec = spec, Fingerprint = fingerprint, Jobs = jobs.Select(j => new JobRecord { Spec = j }).ToList(),
            Phase = SweepPhase.Running, CreatedAt = DateTimeOffset.UtcNow, TraceParent = Activity.Current?.Id,
        };
        _book = new SweepBook(state.State.Jobs, spec.Retries, spec.Concurrency);
        string folder = results.Value.SweepFolder(Name);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "sweep.json"), JsonSerializer.Serialize(spec, TrainerJson.Options));
        await SaveAsync();
        logger.LogInformation("Sweep {Sweep} created: {Jobs} jobs of {Experiment}", Name, jobs.Count, spec.Experiment);
        return Status();
    }

    public Task<SweepStatus?> GetStatusAsync() => Task.FromResult(state.State.Spec is null ? null : Status());

    public async Task<SweepResults?> GetResultsAsync() => state.State.Spec is { } spec
        ? (state.State.Phase == SweepPhase.Completed ? _completedReport : null) ?? await WriteReportAsync(spec)
        : null;

    public async Task CancelAsync()
    {
        if (_book is null || state.State.Phase != SweepPhase.Running)
        {
            return;
        }
        var running = _book.Cancel(DateTimeOffset.UtcNow);
        state.State.Phase = SweepPhase.Cancelled;
        state.State.EndedAt = DateTimeOffset.UtcNow;
        _progress.Clear();
        await SaveAsync();
        await Task.WhenAll(running.Select(lease => GrainFactory.GetGrain<ITrainerGrain>(lease.TrainerKey).CancelAsync()));
        logger.LogInformation("Sweep {Sweep} cancelled; {Running} running job(s) killed", Name, running.Count);
    }

    public async Task<JobLease?> LeaseJobAsync(string silo)
    {
        if (_book is null || state.State.Phase != SweepPhase.Running
            || _book.Lease(silo, state.State.TraceParent, DateTimeOffset.UtcNow) is not { } lease)
        {
            return null;
        }
        _liveness.Heard(lease.Spec.JobId);
        await SaveAsync();
        return lease;
    }

    public Task<bool> ReportProgressAsync(JobProgress progress)
    {
        bool holds = state.State.Phase == SweepPhase.Running && _book?.Holds(progress.JobId, progress.Token) == true;
        if (holds)
        {
            // Kept without its token: progress is shown to clients, and the token is the run's credential.
            _progress[progress.JobId] = progress with { Token = "" };
            _liveness.Heard(progress.JobId);
        }
        return Task.FromResult(holds);
    }

    public Task<bool> HoldsAsync(string jobId, string token) =>
        Task.FromResult(state.State.Phase == SweepPhase.Running && _book is not null && _book.Holds(jobId, token));

    public async Task JobEndedAsync(JobOutcome outcome)
    {
        if (_book is null || !_book.End(outcome, DateTimeOffset.UtcNow))
        {
            return;
        }
        _progress.Remove(outcome.JobId);
        if (outcome.Exit == JobExit.Succeeded)
        {
            metrics.Succeeded();
        }
        bool completed = _book.AllEnded && state.State.Phase == SweepPhase.Running;
        if (completed)
        {
            state.State.Phase = SweepPhase.Completed;
            state.State.EndedAt = DateTimeOffset.UtcNow;
        }
        await SaveAsync();
        if (completed)
        {
            _completedReport = await WriteReportAsync(state.State.Spec!);
            logger.LogInformation("Sweep {Sweep} completed", Name);
        }
    }

    private async Task RequeueLostAsync(CancellationToken cancellation)
    {
        if (_catalogBehind)
        {
            await RecordInCatalogAsync();
        }
        if (_book is null || state.State.Phase != SweepPhase.Running)
        {
            return;
        }
        var lost = _book.RequeueLost(_liveness.IsAlive);
        if (lost.Count > 0)
        {
            logger.LogWarning("Sweep {Sweep}: {Count} run(s) lost (silo gone or silent) are queued again: {Jobs}", Name, lost.Count, lost);
            foreach (string job in lost)
            {
                _progress.Remove(job);
                _liveness.Forget(job);
            }
            await SaveAsync();
        }
    }

    /// <summary>
    /// Writes the state before the caller hears back. A write that failed (the database is away, or a newer
    /// activation wrote first) leaves memory ahead of the stored state, so this activation is dropped and the next
    /// call starts from what was stored; callers retry.
    /// </summary>
    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning("Sweep {Sweep}: its state could not be written ({Problem}); reloading it on the next call", Name, e.Message);
            DeactivateOnIdle();
            throw;
        }
        _gauges.Update(state.State);
        await RecordInCatalogAsync();
    }

    /// <summary>The catalog's counts are for listing; when it cannot be reached the sweep goes on and tries again later.</summary>
    private async Task RecordInCatalogAsync()
    {
        var s = state.State;
        try
        {
            await GrainFactory.GetGrain<ISweepIndexGrain>(0).RecordAsync(new SweepEntry(Name, s.Spec!.Experiment, s.Phase, s.Jobs.Count,
                s.Jobs.Count(j => j.Status == JobStatus.Succeeded), s.Jobs.Count(j => j.Status == JobStatus.Failed), s.CreatedAt));
            _catalogBehind = false;
        }
        catch (Exception e)
        {
            _catalogBehind = true;
            logger.LogWarning("Sweep {Sweep}: the catalog could not be updated ({Problem}); trying again shortly", Name, e.Message);
        }
    }

    private async Task<SweepResults> WriteReportAsync(SweepSpec spec) =>
        SweepReport.Write(spec, await recorded.WithRecordedMetricsAsync(Name, state.State.Jobs), results.Value.SweepFolder(Name));

    private SweepStatus Status() => new()
    {
        Name = Name, Phase = state.State.Phase, Jobs = state.State.Jobs.Select(j => j with { LeaseToken = null }).ToArray(),
        Progress = _progress.Values.ToArray(),
        CreatedAt = state.State.CreatedAt, EndedAt = state.State.EndedAt, ResultsFolder = results.Value.SweepFolder(Name),
    };
}
