namespace UnrolledGan.Grains.Results;

/// <summary>
/// Where a sweep's table takes its numbers from. The embedded default reads them from the sweep's own job records;
/// a cluster on PostgreSQL reads the result rows that were written with each job's success (deploy/postgres/0002).
/// </summary>
public interface IRecordedResults
{
    /// <summary>The jobs, each succeeded one carrying the metrics recorded for it.</summary>
    Task<IReadOnlyList<JobRecord>> WithRecordedMetricsAsync(string sweep, IReadOnlyList<JobRecord> jobs);
}

/// <summary>The embedded default: the metrics are those in the sweep's state.</summary>
public sealed class MetricsInSweepState : IRecordedResults
{
    public Task<IReadOnlyList<JobRecord>> WithRecordedMetricsAsync(string sweep, IReadOnlyList<JobRecord> jobs) => Task.FromResult(jobs);
}
