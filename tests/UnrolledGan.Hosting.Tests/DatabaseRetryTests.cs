using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using UnrolledGan.Grains;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// The silo's own database calls against a real server that restarts under them: connections it ended (57P01) and
/// a port that refuses connections for a while. Each is retried and answers; other errors are not; an outage is
/// logged once.
/// </summary>
public sealed class DatabaseRetryTests
{
    private static readonly JobRecord[] Jobs = [Succeeded("a"), Succeeded("b")];

    [Fact]
    public async Task AReadOnAPooledConnectionTheServerEndedIsRetriedOnANewOneAndTheOutageLoggedOnce()
    {
        await using var database = await WithResultsAsync();
        await using var pool = NpgsqlDataSource.Create(database.ConnectionString);
        var logger = new ListLogger<DatabaseRetry>();
        var results = new PostgresRecordedResults(pool, Retry(pool, logger));

        // Unretried, the first read after a restart fails on the connection the pool kept: the failure.
        await ReadAsync(pool);
        await database.TerminateConnectionsAsync();
        var killed = await Should.ThrowAsync<PostgresException>(() => ReadAsync(pool));
        killed.SqlState.ShouldBe(PostgresErrorCodes.AdminShutdown);
        DatabaseRetry.IsTransient(killed).ShouldBeTrue();

        // Retried, the same read answers, with the recorded rows.
        (await results.WithRecordedMetricsAsync("s", Jobs, TestContext.Current.CancellationToken)).Select(j => j.Metrics!["modesCovered"]).ShouldBe([8.0, 9.0]);
        await database.TerminateConnectionsAsync();
        (await results.WithRecordedMetricsAsync("s", Jobs, TestContext.Current.CancellationToken)).Select(j => j.Metrics!["modesCovered"]).ShouldBe([8.0, 9.0]);
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("57P01");
        logger.At(LogLevel.Information).ShouldHaveSingleItem().ShouldContain("answers again");
    }

    [Fact]
    public async Task ReadsWaitForAServerThatRefusesConnectionsUntilItAnswersAgain()
    {
        await using var database = await WithResultsAsync();
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(server.Host!, server.Port);
        await using var pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString)
            { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 }.ConnectionString);
        var logger = new ListLogger<DatabaseRetry>();
        var results = new PostgresRecordedResults(pool, Retry(pool, logger));
        await results.WithRecordedMetricsAsync("s", Jobs, TestContext.Current.CancellationToken);

        proxy.Down();
        var clock = Stopwatch.StartNew();
        var reads = Enumerable.Range(0, 3).Select(_ => results.WithRecordedMetricsAsync("s", Jobs, TestContext.Current.CancellationToken)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        reads.ShouldAllBe(r => !r.IsCompleted, "the server is down: the reads wait");
        proxy.Up();

        foreach (var read in reads)
        {
            (await read).Select(j => j.Metrics!["modesCovered"]).ShouldBe([8.0, 9.0]);
        }
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
        logger.At(LogLevel.Warning).ShouldHaveSingleItem("three calls, one outage, one line");
        logger.At(LogLevel.Information).ShouldHaveSingleItem().ShouldContain("3 call(s) waited");
    }

    [Fact]
    public async Task AnErrorARetryCannotMendIsThrownAtOnceAndAnOutageOverTheBudgetEndsInItsError()
    {
        await using var database = await TestDatabase.MigratedAsync();
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(server.Host!, server.Port);
        await using var pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString)
            { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 }.ConnectionString);
        var logger = new ListLogger<DatabaseRetry>();
        var retry = new DatabaseRetry(pool, Options.Create(new DatabaseOptions { RetryFor = TimeSpan.FromSeconds(3) }), logger);

        int calls = 0;
        var missing = await Should.ThrowAsync<PostgresException>(() => retry.RunAsync(async token =>
        {
            calls++;
            await using var command = pool.CreateCommand("SELECT count(*) FROM no_such_table");
            return await command.ExecuteScalarAsync(token);
        }));
        missing.SqlState.ShouldBe(PostgresErrorCodes.UndefinedTable);
        calls.ShouldBe(1);

        proxy.Down();
        var clock = Stopwatch.StartNew();
        var refused = await Should.ThrowAsync<NpgsqlException>(() => retry.RunAsync(async token =>
        {
            await using var command = pool.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(token);
        }));
        DatabaseRetry.IsTransient(refused).ShouldBeTrue();
        clock.Elapsed.ShouldBeInRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        logger.At(LogLevel.Warning).Count().ShouldBe(2, "the outage, and the call given up");
    }

    private static DatabaseRetry Retry(NpgsqlDataSource pool, ILogger<DatabaseRetry> logger) =>
        new(pool, Options.Create(new DatabaseOptions { RetryFor = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromSeconds(1) }), logger);

    private static async Task ReadAsync(NpgsqlDataSource pool)
    {
        await using var command = pool.CreateCommand("SELECT count(*) FROM job_metric");
        await command.ExecuteScalarAsync();
    }

    /// <summary>A migrated database holding sweep s's two results, as a success's state write leaves them.</summary>
    private static async Task<TestDatabase> WithResultsAsync()
    {
        var database = await TestDatabase.MigratedAsync();
        await database.ExecuteAsync("""
            INSERT INTO job_result (sweep, job_id, experiment, unroll, size, seed, config) VALUES
                ('s', 'a', 'mixture-of-gaussians', 0, 1, 0, '{}'), ('s', 'b', 'mixture-of-gaussians', 0, 1, 1, '{}');
            INSERT INTO job_metric (sweep, job_id, unroll, size, seed, metric, value) VALUES
                ('s', 'a', 0, 1, 0, 'modesCovered', 8), ('s', 'b', 0, 1, 1, 'modesCovered', 9);
            """);
        return database;
    }

    private static JobRecord Succeeded(string id) => new() { Spec = new JobSpec(id, "s", 0, 1, 0, "{}"), Status = JobStatus.Succeeded };
}
