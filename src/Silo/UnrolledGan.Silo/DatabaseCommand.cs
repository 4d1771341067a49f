using Microsoft.Extensions.Configuration;
using Npgsql;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Silo;

/// <summary>
/// `UnrolledGan.Silo db migrate|status`: applies or reports the PostgreSQL schema of deploy/postgres, against the
/// database in the same configuration a silo reads (ConnectionStrings__Cluster, or Database:ConnectionStringFile).
/// </summary>
internal static class DatabaseCommand
{
    public static async Task<int> RunAsync(string verb, IConfiguration configuration)
    {
        try
        {
            await using var database = NpgsqlDataSource.Create(ClusterDatabase.ConnectionString(configuration));
            string where = ClusterDatabase.Describe(database.ConnectionString);
            var migrations = SchemaMigrations.Embedded;
            switch (verb)
            {
                case "migrate":
                    var applied = await migrations.ApplyAsync(database);
                    Console.WriteLine(applied.Count == 0
                        ? $"{where}: schema already at version {migrations.Latest}; nothing to apply"
                        : $"{where}: applied {string.Join(", ", applied.Select(m => m.Name))}; schema at version {migrations.Latest}");
                    var after = await migrations.InspectAsync(database);
                    return after.IsCurrent ? ExitCodes.Success : Fail(after.Explain());
                case "status":
                    var state = await migrations.InspectAsync(database);
                    Console.WriteLine($"{where}: {state.Explain()}");
                    return state.IsCurrent ? ExitCodes.Success : ExitCodes.Failed;
                default:
                    return Fail($"unknown db command '{verb}': use `db migrate` or `db status`", ExitCodes.BadInput);
            }
        }
        catch (DatabaseConfigurationException e)
        {
            return Fail(e.Message, ExitCodes.BadInput);
        }
        catch (NpgsqlException e)
        {
            return Fail($"the database did not answer as expected: {e.Message}");
        }
    }

    private static int Fail(string message, int code = ExitCodes.Failed)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
