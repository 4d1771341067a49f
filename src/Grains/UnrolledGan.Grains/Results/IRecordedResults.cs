namespace UnrolledGan.Grains.Results;

/// <summary>
/// Where a sweep's table takes its numbers from. The embedded default reads them from the sweep's own job records;
/// a cluster on PostgreSQL reads the result rows that were written with each job's success (deploy/postgres/0002).
/// </summary>
public interface IRecordedResults
{
    /// <summary>
    /// The jobs, each succeeded one carrying the metrics recorded for it. A source that can be briefly away (a
    /// database restarting) waits for it until the token is cancelled or its own retry budget is spent.
    /// </summary>
    Task<IReadOnlyList<JobRecord>> WithRecordedMetricsAsync(string sweep, IReadOnlyList<JobRecord> jobs, CancellationToken cancellation = default);
}

/// <summary>The embedded default: the metrics are those in the sweep's state.</summary>
public sealed class MetricsInSweepState : IRecordedResults
{
    public Task<IReadOnlyList<JobRecord>> WithRecordedMetricsAsync(string sweep, IReadOnlyList<JobRecord> jobs, CancellationToken cancellation = default) =>
        Task.FromResult(jobs);
}
