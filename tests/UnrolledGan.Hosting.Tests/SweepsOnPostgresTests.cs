using UnrolledGan.Grains;

namespace UnrolledGan.Hosting.Tests;

/// <summary>Sweeps on a real in-process cluster whose state and results are in PostgreSQL, with real trainer processes.</summary>
public sealed class SweepsOnPostgresTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task EachJobsSuccessIsRecordedOnceAsRowsAndTheTableIsBuiltFromThoseRows()
    {
        await using var database = await TestDatabase.MigratedAsync();
        string results = Directory.CreateTempSubdirectory("unrolledgan-pg-").FullName;
        var spec = PostgresCluster.Spec("rows", seeds: [0, 1]);

        await using (var cluster = await PostgresCluster.StartAsync(database, results))
        {
            await cluster.Client.GetGrain<ISweepGrain>("rows").SubmitAsync(spec);
            var status = await PostgresCluster.WaitForAsync(cluster, "rows", s => s.Phase == SweepPhase.Completed, Timeout);
            status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded);

            (await database.ScalarAsync<long>("SELECT count(*) FROM job_result WHERE sweep = 'rows'")).ShouldBe(2);
            foreach (var job in status.Jobs)
            {
                (await database.ScalarAsync<long>($"SELECT count(*) FROM job_metric WHERE job_id = '{job.Spec.JobId}'")).ShouldBe(job.Metrics!.Count);
                double recorded = await database.ScalarAsync<double>(
                    $"SELECT value FROM job_metric WHERE job_id = '{job.Spec.JobId}' AND metric = 'highQualityFraction'");
                recorded.ShouldBe(job.Metrics["highQualityFraction"]!.Value);
            }

            // What the table shows is what the rows say.
            await database.ExecuteAsync($"UPDATE job_metric SET value = 0.75 WHERE job_id = '{status.Jobs[0].Spec.JobId}' AND metric = 'highQualityFraction'");
            await database.ExecuteAsync($"UPDATE job_metric SET value = 0.25 WHERE job_id = '{status.Jobs[1].Spec.JobId}' AND metric = 'highQualityFraction'");
            var table = (await cluster.Client.GetGrain<ISweepGrain>("rows").GetResultsAsync())!.Table;
            var cell = table.Rows.Single(r => r.Metric == "highQualityFraction").Cells.Single();
            cell.Mean!.Value.ShouldBe(0.5, 1e-12);
            cell.StandardError!.Value.ShouldBe(0.25, 1e-12);
        }

        // A new cluster on the same database finds the sweep as it was left: finished, nothing run again.
        await using (var restarted = await PostgresCluster.StartAsync(database, results))
        {
            var status = (await restarted.Client.GetGrain<ISweepGrain>("rows").GetStatusAsync())!;
            status.Phase.ShouldBe(SweepPhase.Completed);
            status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded && j.Starts == 1);
            (await restarted.Client.GetGrain<ISweepGrain>("rows").SubmitAsync(spec)).Done.ShouldBe(2);
            (await database.ScalarAsync<long>("SELECT count(*) FROM job_result")).ShouldBe(2);
        }
    }
}
