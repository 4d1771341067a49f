using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// The project's PostgreSQL schema: the numbered scripts of deploy/postgres, built into this assembly. Each applies
/// once, in its own transaction, and is recorded in unrolledgan_schema with a digest of its text, so applying them
/// again changes nothing and an edited script is noticed. An advisory lock keeps two migrators from racing.
/// </summary>
public sealed class SchemaMigrations
{
    private const long LockKey = 0x556E726F6C6C6564; // "Unrolled"

    private SchemaMigrations(IReadOnlyList<Migration> all) => All = all;

    public IReadOnlyList<Migration> All { get; }

    public int Latest => All[^1].Version;

    /// <summary>The scripts built into this assembly, in version order.</summary>
    public static SchemaMigrations Embedded { get; } = Load(typeof(SchemaMigrations).Assembly);

    public static SchemaMigrations Load(Assembly assembly)
    {
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return Migration.From(n["migrations/".Length..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToArray();
        if (migrations.Length == 0 || migrations.Select(m => m.Version).Distinct().Count() != migrations.Length
            || migrations[0].Version != 1 || migrations[^1].Version != migrations.Length)
        {
            throw new InvalidOperationException("the schema scripts must be numbered 0001, 0002, … without gaps");
        }
        return new SchemaMigrations(migrations);
    }

    /// <summary>Applies every script not yet applied (up to a version, for tests of older schemas); returns those it applied.</summary>
    public async Task<IReadOnlyList<Migration>> ApplyAsync(NpgsqlDataSource database, int? upTo = null, CancellationToken cancellation = default)
    {
        var applied = new List<Migration>();
        await using var connection = await database.OpenConnectionAsync(cancellation);
        foreach (var migration in All.Where(m => m.Version <= (upTo ?? Latest)))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellation);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellation);
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS unrolledgan_schema (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    digest text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellation);
            var recorded = await RecordedAsync(connection, transaction, cancellation);
            if (recorded.ContainsKey(migration.Version))
            {
                await transaction.RollbackAsync(cancellation);
                continue;
            }
            await ExecuteAsync(connection, transaction, migration.Sql, cancellation);
            await using (var record = new NpgsqlCommand("INSERT INTO unrolledgan_schema (version, name, digest) VALUES (@version, @name, @digest)",
                connection, transaction))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("digest", migration.Digest);
                await record.ExecuteNonQueryAsync(cancellation);
            }
            await transaction.CommitAsync(cancellation);
            applied.Add(migration);
        }
        return applied;
    }

    /// <summary>What the database holds against what this program knows.</summary>
    public async Task<SchemaState> InspectAsync(NpgsqlDataSource database, CancellationToken cancellation = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('unrolledgan_schema') IS NOT NULL", connection);
        var recorded = (bool)(await exists.ExecuteScalarAsync(cancellation))!
            ? await RecordedAsync(connection, null, cancellation)
            : new Dictionary<int, string>();
        var edited = All.Where(m => recorded.TryGetValue(m.Version, out string? digest) && digest != m.Digest).Select(m => m.Name).ToArray();
        return new SchemaState(recorded.Count == 0 ? 0 : recorded.Keys.Max(), Latest, edited);
    }

    private static async Task<Dictionary<int, string>> RecordedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand("SELECT version, digest FROM unrolledgan_schema", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var recorded = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellation))
        {
            recorded[reader.GetInt32(0)] = reader.GetString(1);
        }
        return recorded;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}

/// <summary>One numbered script, e.g. 0002_sweep_state_and_results.sql.</summary>
public sealed record Migration(int Version, string Name, string Sql, string Digest)
{
    public static Migration From(string fileName, string sql)
    {
        int underscore = fileName.IndexOf('_');
        if (underscore != 4 || !int.TryParse(fileName[..4], out int version))
        {
            throw new InvalidOperationException($"schema script '{fileName}' is not named NNNN_name.sql");
        }
        return new Migration(version, fileName, sql, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16]);
    }
}

/// <summary>The database's schema version, the version this program needs, and any applied script since edited.</summary>
public sealed record SchemaState(int Version, int Needed, IReadOnlyList<string> Edited)
{
    public bool IsCurrent => Version == Needed && Edited.Count == 0;

    /// <summary>One line for a person: what is wrong and what to run.</summary>
    public string Explain() => Version < Needed
        ? $"the database schema is at version {Version}, this silo needs {Needed}: run `UnrolledGan.Silo db migrate` first"
        : Version > Needed
            ? $"the database schema is at version {Version}, newer than this silo knows ({Needed}): upgrade the silo"
            : Edited.Count > 0
                ? $"the applied schema scripts {string.Join(", ", Edited)} differ from this silo's copies: the schema was changed by hand or by another build"
                : $"the database schema is at version {Version}, as this silo needs";
}
