using System.Collections.Concurrent;
using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web;

/// <summary>A sweep in the list of sweeps.</summary>
public sealed record SweepSummary(
    string Name, string Experiment, SweepPhase Phase, int Total, int Done, int Succeeded, int Failed, int Running, int Queued,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, double? EtaSeconds);

/// <summary>One sweep as its page draws it: counts, the grid as the paper lays it out, and the runs that went wrong.</summary>
public sealed record SweepView(
    string Name, string Experiment, SweepPhase Phase, int Total, int Done, int Succeeded, int Failed, int Running, int Queued,
    int Cancelled, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, double? EtaSeconds,
    IReadOnlyList<int> Unrolls, IReadOnlyList<GridRow> Rows, IReadOnlyList<JobTrouble> Troubles);

/// <summary>A grid row: one size and one seed, with a cell per K (null where the grid has no such job).</summary>
public sealed record GridRow(double Size, int Seed, IReadOnlyList<GridCell?> Cells);

/// <summary>
/// One job. Step is the last one reported while it runs, the total once it succeeded, else unknown; Snapshots counts
/// the snapshots it has written so far, so the page knows when its density picture changed.
/// </summary>
public sealed record GridCell(
    string JobId, int Unroll, JobStatus State, int? Step, int TotalSteps, double? StepsPerSecond, double? EtaSeconds,
    int Starts, int FailedAttempts, string? Silo, int Snapshots);

/// <summary>A job that failed, was retried or was resumed after its run was lost, with the last reason it failed.</summary>
public sealed record JobTrouble(string JobId, int Unroll, double Size, int Seed, JobStatus State, int Starts, int FailedAttempts, string? Reason);

/// <summary>Builds the page's views from the sweep grain's status; job configs are parsed once, since a job id names its config.</summary>
public sealed class SweepViews
{
    private readonly ConcurrentDictionary<string, TrainingConfig> _configs = new();

    public TrainingConfig ConfigOf(JobSpec job) =>
        _configs.GetOrAdd(job.JobId, _ => JsonSerializer.Deserialize<TrainingConfig>(job.ConfigJson, TrainerJson.Options)!);

    public string ExperimentOf(SweepStatus status) => status.Jobs.Count > 0 ? ConfigOf(status.Jobs[0].Spec).Experiment : "";

    public SweepSummary Summary(SweepStatus status) => new(
        status.Name, ExperimentOf(status), status.Phase, status.Total, status.Done, status.Count(JobStatus.Succeeded),
        status.Count(JobStatus.Failed), status.Count(JobStatus.Running), status.Count(JobStatus.Queued), status.CreatedAt,
        status.EndedAt, SweepEta.Estimate(status, DateTimeOffset.UtcNow));

    public SweepView View(SweepStatus status)
    {
        var progress = status.Progress.ToDictionary(p => p.JobId);
        var unrolls = status.Jobs.Select(j => j.Spec.Unroll).Distinct().Order().ToArray();
        // The paper's layout: K across; down, the sizes from smallest and the seeds within each.
        var rows = status.Jobs
            .GroupBy(j => (j.Spec.Size, j.Spec.Seed))
            .OrderBy(g => g.Key.Size).ThenBy(g => g.Key.Seed)
            .Select(g => new GridRow(g.Key.Size, g.Key.Seed,
                unrolls.Select(k => g.FirstOrDefault(j => j.Spec.Unroll == k) is { } job ? Cell(job, progress.GetValueOrDefault(job.Spec.JobId)) : null).ToArray()))
            .ToArray();
        var troubles = status.Jobs
            .Where(j => j.Status == JobStatus.Failed || j.FailedAttempts > 0 || j.Starts > j.FailedAttempts + 1)
            .Select(j => new JobTrouble(j.Spec.JobId, j.Spec.Unroll, j.Spec.Size, j.Spec.Seed, j.Status, j.Starts, j.FailedAttempts, j.FailureReason))
            .ToArray();
        return new SweepView(
            status.Name, ExperimentOf(status), status.Phase, status.Total, status.Done, status.Count(JobStatus.Succeeded),
            status.Count(JobStatus.Failed), status.Count(JobStatus.Running), status.Count(JobStatus.Queued), status.Count(JobStatus.Cancelled),
            status.CreatedAt, status.EndedAt, SweepEta.Estimate(status, DateTimeOffset.UtcNow), unrolls, rows, troubles);
    }

    private GridCell Cell(JobRecord job, JobProgress? progress)
    {
        var config = ConfigOf(job.Spec);
        bool running = job.Status == JobStatus.Running && progress is not null;
        int? step = job.Status == JobStatus.Succeeded ? config.Steps : running ? progress!.Step : null;
        int snapshots = step is { } s ? s / config.SnapshotInterval + 1 + (s == config.Steps && s % config.SnapshotInterval != 0 ? 1 : 0) : 0;
        return new GridCell(
            job.Spec.JobId, job.Spec.Unroll, job.Status, step, config.Steps,
            running ? progress!.StepsPerSecond : null, running ? progress!.EtaSeconds : null,
            job.Starts, job.FailedAttempts, job.Silo, snapshots);
    }
}
