using Microsoft.Extensions.Configuration;
using Npgsql;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// The cluster's PostgreSQL database. Its connection string comes from configuration, never from a command line
/// that `ps` shows: ConnectionStrings:Cluster (the environment variable ConnectionStrings__Cluster), else the file
/// named by Database:ConnectionStringFile (a mounted Kubernetes Secret). The password is never logged or printed.
/// </summary>
public static class ClusterDatabase
{
    public const string ConnectionStringName = "Cluster";
    public const string FileSetting = "Database:ConnectionStringFile";

    public static string ConnectionString(IConfiguration configuration)
    {
        if (configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } configured)
        {
            return configured;
        }
        if (configuration[FileSetting] is { Length: > 0 } file)
        {
            return File.Exists(file)
                ? File.ReadAllText(file).Trim()
                : throw new DatabaseConfigurationException($"{FileSetting}: '{file}' does not exist");
        }
        throw new DatabaseConfigurationException(
            $"no database: set ConnectionStrings__{ConnectionStringName} (or {FileSetting.Replace(":", "__")}) to a PostgreSQL connection string");
    }

    /// <summary>The connection string a person may see: host, port, database and user, no secrets.</summary>
    public static string Describe(string connectionString)
    {
        var parts = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{parts.Username ?? "?"}@{parts.Host ?? "?"}:{parts.Port}/{parts.Database ?? parts.Username ?? "?"}";
    }
}

/// <summary>The database settings are missing or unusable; the message says which and what to set.</summary>
public sealed class DatabaseConfigurationException(string message) : Exception(message);
