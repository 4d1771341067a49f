using Npgsql;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Results;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// A cluster's tables are built from the result rows each job's success wrote (job_metric), not from the sweep's
/// in-memory records: what the database holds is what the table shows. The read rides out a restarting server
/// (<see cref="DatabaseRetry"/>).
/// </summary>
public sealed class PostgresRecordedResults(NpgsqlDataSource database, DatabaseRetry retry) : IRecordedResults
{
    public async Task<IReadOnlyList<JobRecord>> WithRecordedMetricsAsync(string sweep, IReadOnlyList<JobRecord> jobs,
        CancellationToken cancellation = default)
    {
        var metrics = await retry.RunAsync(token => ReadMetricsAsync(sweep, token), cancellation);
        return jobs.Select(j => j.Status == JobStatus.Succeeded
            ? j with { Metrics = metrics.TryGetValue(j.Spec.JobId, out var recorded) ? recorded : null }
            : j).ToArray();
    }

    private async Task<Dictionary<string, Dictionary<string, double?>>> ReadMetricsAsync(string sweep, CancellationToken cancellation)
    {
        var metrics = new Dictionary<string, Dictionary<string, double?>>();
        await using var command = database.CreateCommand("SELECT job_id, metric, value FROM job_metric WHERE sweep = @sweep");
        command.Parameters.AddWithValue("sweep", sweep);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            string jobId = reader.GetString(0);
            (metrics.TryGetValue(jobId, out var job) ? job : metrics[jobId] = [])[reader.GetString(1)] =
                reader.IsDBNull(2) ? null : reader.GetDouble(2);
        }
        return metrics;
    }
}
