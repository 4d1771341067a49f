using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// A sweep renews its runs' leases only while its stored state confirms it. Here the database goes away under a
/// running job, as it does for a silo cut off from the cluster: the sweep stops renewing, the trainer is stopped after
/// a checkpoint once its lease lapses, and the job resumes when the database is back.
/// </summary>
public sealed class LeaseVouchingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ASweepWhoseStoredStateStopsAnsweringRenewsNoLeaseSoItsTrainerStopsAfterACheckpoint()
    {
        await using var database = await TestDatabase.MigratedAsync();
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(server.Host!, server.Port);
        string viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 }.ConnectionString;
        string results = Directory.CreateTempSubdirectory("unrolledgan-pg-").FullName;
        await using var cluster = await PostgresCluster.StartAsync(database, results, slots: 1, connectionString: viaProxy, settings: new Dictionary<string, string?>
        {
            ["Workers:HeartbeatPeriod"] = "00:00:01",
            // Longer than a trainer takes to print its first progress line on a loaded machine, which renews nothing.
            ["Workers:LeaseTimeout"] = "00:00:10",
            ["Workers:RunSilenceTimeout"] = "00:01:00",
        });
        var runner = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<TrainerRunner>();
        var sweep = cluster.Client.GetGrain<ISweepGrain>("vouch");
        await sweep.SubmitAsync(PostgresCluster.Spec("vouch", seeds: [0], steps: 50_000) with
        {
            Overrides = new Dictionary<string, string> { ["checkpointInterval"] = "100", ["snapshotInterval"] = "50000", ["logInterval"] = "50" },
        });
        var running = await PostgresCluster.WaitForAsync(cluster, "vouch", s => s.Progress.Any(p => p.Step >= 200), Timeout);
        string job = running.Jobs.Single().Spec.JobId;
        int starts = running.Jobs.Single().Starts;
        string runs = Path.Combine(results, "vouch", "jobs", job, "runs.jsonl");
        int ended = File.Exists(runs) ? File.ReadLines(runs).Count() : 0;

        proxy.Down();
        // Unconfirmed at the next check (3 s), then no renewal for Workers:LeaseTimeout (10 s): the trainer checkpoints and exits.
        await PostgresCluster.UntilAsync(() => runner.ProcessIds.Count == 0 && File.Exists(runs) && File.ReadLines(runs).Count() > ended,
            TimeSpan.FromSeconds(60), "the trainer to stop while the database is away");
        var run = JsonDocument.Parse(File.ReadLines(runs).Last()).RootElement;
        run.GetProperty("exit").GetString().ShouldBe("Interrupted");
        run.GetProperty("lastStep").GetInt32().ShouldBeLessThan(50_000);
        // A sweep activated while the database is away answers with the database's error, not a codec failure.
        var away = await Should.ThrowAsync<Exception>(() => cluster.Client.GetGrain<ISweepGrain>("never-stored").GetStatusAsync());
        away.ToString().ShouldContain("Npgsql.NpgsqlException");
        away.ToString().ShouldNotContain("CodecNotFoundException");

        // Back, the interruption is recorded and the job runs again from its checkpoint.
        proxy.Up();
        var resumed = await PostgresCluster.WaitForAsync(cluster, "vouch", s => s.Jobs.Single().Starts == starts + 1 && s.Progress.Any(p => p.Step > 0), Timeout);
        resumed.Jobs.Single().FailedAttempts.ShouldBe(0);
        await sweep.CancelAsync();
    }
}
