using Npgsql;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// A database of its own on the throwaway PostgreSQL server that scripts/test.sh starts and names in
/// $UNROLLEDGAN_TEST_POSTGRES (a superuser connection string); dropped when the test ends.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "UNROLLEDGAN_TEST_POSTGRES";
    private readonly string _server;

    private TestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        string? server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            Assert.Skip($"needs the throwaway PostgreSQL that scripts/test.sh starts (${EnvironmentVariable})");
        }
        string name = $"t_{Guid.NewGuid():N}"[..16];
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(server, name);
    }

    /// <summary>A database with the project's schema applied, as `UnrolledGan.Silo db migrate` leaves it.</summary>
    public static async Task<TestDatabase> MigratedAsync()
    {
        var database = await CreateAsync();
        await SchemaMigrations.Embedded.ApplyAsync(database.DataSource);
        return database;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// What a restart of the server does to every open connection to this database, pooled ones included: the server
    /// ends them (57P01, "terminating connection due to administrator command"), and each client finds out at its next
    /// use. This test's own pool is cleared after.
    /// </summary>
    public async Task<int> TerminateConnectionsAsync()
    {
        int terminated;
        await using (var admin = NpgsqlDataSource.Create(_server))
        {
            await using var command = admin.CreateCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()");
            command.Parameters.AddWithValue("name", Name);
            terminated = (int)(long)(await command.ExecuteScalarAsync())!;
        }
        DataSource.Clear();
        return terminated;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_server);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
