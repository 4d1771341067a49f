using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Results;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Telemetry;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// Owns one sweep: its grid, leases and every run's end (<see cref="SweepBook"/>), written before the call that caused
/// them returns, so a restart loses nothing. Tables and pictures are built off the turn (<see cref="SweepReports"/>).
/// A completed sweep's report is written after the call that completed it, and its files' names are kept with the
/// state; until then it is pending, and the timer writes it again until it is written (<see cref="PendingReport"/>).
/// </summary>
public sealed class SweepGrain(
    [PersistentState("sweep", StorageNames.Sweeps)] IPersistentState<SweepState> state,
    IClusterMembershipService membership, IOptions<ResultsOptions> results, IOptions<WorkerOptions> workers,
    SweepReports reports, DamagedStates damaged, SweepMetrics metrics, IServiceProvider services, ILogger<SweepGrain> logger)
    : Grain, ISweepGrain, ISweepWorkGrain
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(3);

    /// <summary>How long a results call waits for a report being written, well inside Orleans' 30 s response timeout.</summary>
    private static readonly TimeSpan ReportWait = TimeSpan.FromSeconds(20);
    private readonly Dictionary<string, JobProgress> _progress = [];
    private readonly RunLiveness _liveness = new(membership, workers.Value);
    private readonly SweepGauges _gauges = new(metrics);
    private readonly SweepCatalogEntry _catalog = new();
    private readonly PendingReport _report = new(reports);
    private LeaseVouching? _vouching;
    private SweepBook? _book;
    private string? _damage;

    private string Name => this.GetPrimaryKeyString();

    private bool Running => state.State.Phase == SweepPhase.Running && _book is not null;

    private LeaseVouching Vouching => _vouching ??= new(services.GetService<IStoredSweepVersion>(), Name, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _damage = damaged.Take(this.GetGrainId());
        Vouching.Confirmed();
        if (state.State.Spec is { } spec)
        {
            _book = new SweepBook(state.State.Jobs, spec.Retries, spec.Concurrency, spec.Dispatch);
            _gauges.Update(state.State);
            // The timer re-records the sweep in the catalog, which may have lost it (a damaged catalog is rebuilt this way).
            _catalog.Remember(SweepCatalogEntry.Of(Name, state.State));
        }
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { KeepAlive = false });
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
        var jobs = SweepPlanner.Expand(spec, results.Value.MaxJobsPerSweep, workers.Value.JobMemoryLimitBytes);
        if (_book is not null)
        {
            if (_book.Resubmit(Name, state.State.Fingerprint == fingerprint, jobs))
            {
                (state.State.Phase, state.State.ReportFiles) = (SweepPhase.Running, null);
                _report.Forget();
                await SaveAsync();
            }
            return Status();
        }
        state.State = new SweepState
        {
            Spec = spec, Fingerprint = fingerprint, Jobs = jobs.Select(j => new JobRecord { Spec = j }).ToList(),
            Phase = SweepPhase.Running, CreatedAt = DateTimeOffset.UtcNow, TraceParent = Activity.Current?.Id,
        };
        _book = new SweepBook(state.State.Jobs, spec.Retries, spec.Concurrency, spec.Dispatch);
        _damage = null;
        string folder = results.Value.SweepFolder(Name);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "sweep.json"), JsonSerializer.Serialize(spec, TrainerJson.Options));
        await SaveAsync();
        logger.LogInformation("Sweep {Sweep} created: {Jobs} jobs of {Experiment}", Name, jobs.Count, spec.Experiment);
        return Status();
    }

    public Task<SweepStatus?> GetStatusAsync() => Task.FromResult(state.State.Spec is not null || _damage is not null ? Status() : null);

    /// <summary>
    /// The table is built from the recorded results every time (on a cluster, the database's rows are the truth);
    /// a completed sweep adds the files written when it completed. A completed sweep whose report is pending, or
    /// whose files have gone since, has them written first.
    /// </summary>
    public async Task<SweepResults?> GetResultsAsync()
    {
        if (state.State.Spec is not { } spec)
        {
            return null;
        }
        if (state.State.Phase == SweepPhase.Completed && !SweepReports.OnDisk(state.State.ReportFiles))
        {
            state.State.ReportFiles = null;
            var write = _report.Start(state.State);
            if (await Task.WhenAny(write, Task.Delay(ReportWait)) != write)
            {
                throw new TimeoutException($"the report of sweep {Name} is being written but its results could not be read for " +
                    $"{ReportWait.TotalSeconds:0} s (is the database down?); it is written as soon as they can: ask again later");
            }
            await RecordReportAsync(write);
        }
        using var wait = new CancellationTokenSource(ReportWait);
        var table = await reports.TableAsync(spec, state.State.Jobs, wait.Token);
        return state.State.ReportFiles is { } files ? table with { Files = files } : table;
    }

    public async Task CancelAsync()
    {
        if (!Running)
        {
            return;
        }
        var running = _book!.Cancel(DateTimeOffset.UtcNow);
        (state.State.Phase, state.State.EndedAt) = (SweepPhase.Cancelled, DateTimeOffset.UtcNow);
        _progress.Clear();
        await SaveAsync();
        await Task.WhenAll(running.Select(lease => GrainFactory.GetGrain<ITrainerGrain>(lease.TrainerKey).CancelAsync()));
        logger.LogInformation("Sweep {Sweep} cancelled; {Running} running job(s) killed", Name, running.Count);
    }

    public async Task<JobLease?> LeaseJobAsync(string silo)
    {
        if (!Running || _book!.Lease(silo, state.State.TraceParent, DateTimeOffset.UtcNow) is not { } lease)
        {
            return null;
        }
        _liveness.Heard(lease.Spec.JobId);
        await SaveAsync();
        return lease;
    }

    public Task<bool> ReportProgressAsync(JobProgress progress)
    {
        Vouching.Renewing();
        bool holds = Running && _book!.Holds(progress.JobId, progress.Token);
        if (holds)
        {
            // Kept without its token: progress is shown to clients, and the token is the run's credential.
            _progress[progress.JobId] = progress with { Token = "" };
            _liveness.Heard(progress.JobId);
        }
        return Task.FromResult(holds);
    }

    public Task<bool> HoldsAsync(string jobId, string token)
    {
        Vouching.Renewing();
        return Task.FromResult(Running && _book!.Holds(jobId, token));
    }

    public async Task JobEndedAsync(JobOutcome outcome)
    {
        if (_book is null || !_book.End(outcome, DateTimeOffset.UtcNow))
        {
            return;
        }
        _progress.Remove(outcome.JobId);
        var status = _book.Jobs.First(j => j.Spec.JobId == outcome.JobId).Status;
        bool completed = _book.AllEnded && state.State.Phase == SweepPhase.Running;
        if (completed)
        {
            (state.State.Phase, state.State.EndedAt) = (SweepPhase.Completed, DateTimeOffset.UtcNow);
        }
        // Saved first: on a cluster the last job's result rows are written by this save, and the report reads them.
        await SaveAsync();
        // Counted once stored: after a failed write the runner reports the end again, to an activation that never saw it.
        metrics.JobEnded(outcome.Exit, status);
        if (completed)
        {
            // Written off the turn: the caller hears that its run's end is stored, whatever becomes of the report.
            _ = _report.Start(state.State);
            logger.LogInformation("Sweep {Sweep} completed; writing its report", Name);
        }
    }

    private async Task TickAsync(CancellationToken cancellation)
    {
        await _catalog.CatchUpAsync(GrainFactory, logger);
        await WriteReportIfPendingAsync();
        if (Running && _book!.Running > 0 && !await Vouching.ConfirmAsync(state.Etag))
        {
            DeactivateOnIdle();
            return;
        }
        await RequeueLostAsync();
    }

    /// <summary>Collects a finished write of the pending report, or starts one; the activation stays while one is pending.</summary>
    private async Task WriteReportIfPendingAsync()
    {
        if (!PendingReport.IsPending(state.State))
        {
            return;
        }
        DelayDeactivation(TimeSpan.FromMinutes(1));
        if (_report.Retry(state.State) is not { IsCompleted: true } write)
        {
            return;
        }
        try
        {
            await RecordReportAsync(write);
        }
        catch (Exception e)
        {
            if (_report.IsNewProblem(e.Message))
            {
                logger.LogWarning("Sweep {Sweep}: its report could not be written ({Problem}); trying again every {Delay}",
                    Name, e.Message, PendingReport.RetryDelay);
            }
        }
    }

    private async Task RecordReportAsync(Task<SweepResults> write)
    {
        var written = await _report.CollectAsync(write);
        state.State.ReportFiles = written.Files;
        await SaveAsync();
        logger.LogInformation("Sweep {Sweep}: report written ({Files})", Name, string.Join(", ", written.Files.Select(Path.GetFileName)));
    }

    private async Task RequeueLostAsync()
    {
        if (!Running || _book!.RequeueLost(_liveness.WhyLost, DateTimeOffset.UtcNow) is not { Count: > 0 } lost)
        {
            return;
        }
        logger.LogWarning("Sweep {Sweep}: {Count} run(s) lost (silo gone or silent) are queued again: {Jobs}", Name, lost.Count, lost);
        foreach (string job in lost)
        {
            _progress.Remove(job);
            _liveness.Forget(job);
        }
        await SaveAsync();
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
            Vouching.Confirmed();
        }
        catch (Exception e)
        {
            logger.LogWarning("Sweep {Sweep}: its state could not be written ({Problem}); reloading it on the next call", Name, e.Message);
            DeactivateOnIdle();
            throw;
        }
        _gauges.Update(state.State);
        await _catalog.RecordAsync(GrainFactory, SweepCatalogEntry.Of(Name, state.State), logger);
    }

    private SweepStatus Status() => new()
    {
        Name = Name,
        Phase = state.State.Spec is null ? SweepPhase.Damaged : state.State.Phase,
        Jobs = state.State.Jobs.Select(j => j with { LeaseToken = null }).ToArray(),
        Progress = _progress.Values.ToArray(),
        CreatedAt = state.State.CreatedAt, EndedAt = state.State.EndedAt, ResultsFolder = results.Value.SweepFolder(Name),
        Problem = _damage is null ? null
            : $"{_damage}; its jobs' results are kept in their folders: submit the sweep's spec again " +
              $"({Path.Combine(results.Value.SweepFolder(Name), "sweep.json")}) to rebuild it without training them again",
    };
}
