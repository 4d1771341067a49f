using Npgsql;
using NpgsqlTypes;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// The stored queries the ADO.NET grain storage runs, called as it calls them, with payloads serialized as a silo
/// serializes sweep state: the ETag rules, and the result rows written in the write's own transaction.
/// </summary>
public sealed class SweepStateStorageTests
{
    private const string Write = "SELECT * FROM grain_state_write(11, 0, 0, 22, 'sweep', @key, 'unrolledgan', @version, @payload)";

    [Fact]
    public async Task AWriteOverTheVersionReadAppliesAndAStaleOneIsRefusedWithoutResultRows()
    {
        await using var database = await TestDatabase.MigratedAsync();

        (await WriteAsync(database, null, State(succeeded: 1))).ShouldBe(1);
        (await WriteAsync(database, null, State(succeeded: 1))).ShouldBe(null, "a second first write of the same grain");
        (await WriteAsync(database, 1, State(succeeded: 2))).ShouldBe(2);
        (await ResultRowsAsync(database)).ShouldBe((2, 2 * 3));

        // A stale activation (it read version 1) writes a third success: refused, and none of it recorded.
        (await WriteAsync(database, 1, State(succeeded: 3))).ShouldBe(1);
        (await ResultRowsAsync(database)).ShouldBe((2, 2 * 3));
        (await database.ScalarAsync<int>("SELECT version FROM orleansstorage")).ShouldBe(2);
    }

    [Fact]
    public async Task EachSucceededJobGetsOneRowPerMetricWithItsAxesConfigAndVersions()
    {
        await using var database = await TestDatabase.MigratedAsync();
        var state = State(succeeded: 2);

        await WriteAsync(database, null, state);
        await WriteAsync(database, 1, state);

        await using var command = database.DataSource.CreateCommand("""
            SELECT r.job_id, r.unroll, r.size, r.seed, r.config ->> 'unroll', r.versions ->> 'torchSharp', m.metric, m.value
            FROM job_result r JOIN job_metric m USING (sweep, job_id) WHERE r.sweep = 'store' ORDER BY r.job_id, m.metric
            """);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add($"{reader.GetString(0)} k{reader.GetInt32(1)} x{reader.GetDouble(2)} s{reader.GetInt32(3)} config.unroll={reader.GetString(4)} " +
                $"torch={reader.GetString(5)} {reader.GetString(6)}={(reader.IsDBNull(7) ? "null" : reader.GetDouble(7).ToString("R"))}");
        }
        rows.ShouldBe([
            "job0 k0 x1 s0 config.unroll=0 torch=0.107.0 modesCovered=8",
            "job0 k0 x1 s0 config.unroll=0 torch=0.107.0 nan=NaN",
            "job0 k0 x1 s0 config.unroll=0 torch=0.107.0 reverseKl=null",
            "job1 k1 x1 s1 config.unroll=1 torch=0.107.0 modesCovered=9",
            "job1 k1 x1 s1 config.unroll=1 torch=0.107.0 nan=NaN",
            "job1 k1 x1 s1 config.unroll=1 torch=0.107.0 reverseKl=null",
        ]);
    }

    [Fact]
    public async Task TheStoredPayloadReadsBackAsTheSameState()
    {
        await using var database = await TestDatabase.MigratedAsync();
        var state = State(succeeded: 1);
        await WriteAsync(database, null, state);

        await using var command = database.DataSource.CreateCommand(
            "SELECT payloadbinary, version FROM grain_state_read(11, 0, 0, 22, 'sweep', 'store', 'unrolledgan')");
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        var read = new GrainStateJson().Deserialize<SweepState>(new BinaryData((byte[])reader[0]))!;

        reader.GetInt32(1).ShouldBe(1);
        read.Jobs.Select(j => (j.Spec.JobId, j.Status, j.Metrics?["modesCovered"])).ShouldBe(state.Jobs.Select(j => (j.Spec.JobId, j.Status, j.Metrics?["modesCovered"])));
        double.IsNaN(read.Jobs[0].Metrics!["nan"]!.Value).ShouldBeTrue();
    }

    private static async Task<int?> WriteAsync(TestDatabase database, int? version, SweepState state)
    {
        await using var command = database.DataSource.CreateCommand(Write);
        command.Parameters.AddWithValue("key", "store");
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
        command.Parameters.AddWithValue("payload", new GrainStateJson().Serialize(state).ToArray());
        return await command.ExecuteScalarAsync() is int written ? written : null;
    }

    private static async Task<(long Jobs, long Metrics)> ResultRowsAsync(TestDatabase database) =>
        (await database.ScalarAsync<long>("SELECT count(*) FROM job_result"), await database.ScalarAsync<long>("SELECT count(*) FROM job_metric"));

    /// <summary>A sweep of three jobs, the first <paramref name="succeeded"/> of them finished.</summary>
    private static SweepState State(int succeeded) => new()
    {
        Spec = new SweepSpec { Name = "store", Experiment = "mixture-of-gaussians", Unrolls = [0, 1, 2], Seeds = [0, 1, 2] },
        Phase = SweepPhase.Running,
        Jobs = Enumerable.Range(0, 3).Select(i => new JobRecord
        {
            Spec = new JobSpec($"job{i}", "store", i, 1.0, i, $$"""{"unroll":{{i}},"seed":{{i}}}"""),
            Status = i < succeeded ? JobStatus.Succeeded : JobStatus.Queued,
            Metrics = i < succeeded
                ? new Dictionary<string, double?> { ["modesCovered"] = 8 + i, ["reverseKl"] = null, ["nan"] = double.NaN }
                : null,
            Versions = i < succeeded ? new Dictionary<string, string> { ["torchSharp"] = "0.107.0" } : null,
        }).ToList(),
    };
}
