using UnrolledGan.Grains;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// A sweep on PostgreSQL whose last job ends on connections a server restart killed (57P01 at their next use): the
/// failure of issue 17, where the sweep was stored as completed and its report never written.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task TheLastJobEndingOnKilledConnectionsStillGetsItsReportAndErrorsReachTheCallerReadable()
    {
        await using var database = await TestDatabase.MigratedAsync();
        string results = Directory.CreateTempSubdirectory("unrolledgan-pg-").FullName;
        string folder = Path.Combine(results, "outage");
        await using var cluster = await PostgresCluster.StartAsync(database, results, slots: 1);
        var sweep = cluster.Client.GetGrain<ISweepGrain>("outage");
        await sweep.SubmitAsync(PostgresCluster.Spec("outage", seeds: [0, 1], steps: 600));

        // One slot: the first job has succeeded and the last is training. Reading the table now leaves the silo's
        // connection for results idle in its pool, where the restart below kills it.
        await PostgresCluster.WaitForAsync(cluster, "outage",
            s => s.Done == 1 && s.Progress.Any(p => p.Step > 0 && p.Step < p.TotalSteps / 2), Timeout);
        (await sweep.GetResultsAsync())!.Table.Rows.ShouldNotBeEmpty();
        (await database.TerminateConnectionsAsync()).ShouldBeGreaterThan(0);

        var status = await PostgresCluster.WaitForAsync(cluster, "outage", s => s.Phase == SweepPhase.Completed, Timeout);
        status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded);
        // Not asked for: the sweep writes its report by itself once the database answers again.
        string[] report = ["table.md", "table.csv", "table.json", "table.tex", "densities.png"];
        await PostgresCluster.UntilAsync(() => report.All(f => File.Exists(Path.Combine(folder, f))), TimeSpan.FromSeconds(60),
            "the report's files to be written without a results call");
        await PostgresCluster.UntilAsync(async () => await database.ScalarAsync<long>(
            "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'sweep' AND convert_from(payloadbinary, 'UTF8')::jsonb -> 'reportFiles' <> 'null'") == 1,
            TimeSpan.FromSeconds(20), "the report's files to be recorded in the sweep's state");
        (await database.ScalarAsync<long>("SELECT count(DISTINCT job_id) FROM job_metric WHERE sweep = 'outage'")).ShouldBe(2);

        // Files lost since are written again by the next results call, the same as before.
        string csv = await File.ReadAllTextAsync(Path.Combine(folder, "table.csv"), TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(folder, "table.csv"));
        File.Delete(Path.Combine(folder, "densities.png"));
        var answered = (await sweep.GetResultsAsync())!;
        answered.Files.Select(Path.GetFileName).ShouldBe(report);
        (await File.ReadAllTextAsync(Path.Combine(folder, "table.csv"), TestContext.Current.CancellationToken)).ShouldBe(csv);
        File.Exists(Path.Combine(folder, "densities.png")).ShouldBeTrue();

        // A database error that is not transient reaches the caller with the database's own message.
        await database.ExecuteAsync("ALTER TABLE job_metric RENAME TO job_metric_away");
        var error = await Should.ThrowAsync<SiloFaultException>(() => sweep.GetResultsAsync());
        error.Message.ShouldContain("Npgsql.PostgresException: 42P01: relation \"job_metric\" does not exist");
        await database.ExecuteAsync("ALTER TABLE job_metric_away RENAME TO job_metric");
    }
}
