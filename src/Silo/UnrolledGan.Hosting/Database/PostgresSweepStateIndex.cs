using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// The sweeps stored in the database for this service (their grain keys in orleansstorage), and the version of each
/// one's state: the version column Orleans' ADO.NET storage uses as the state's ETag.
/// </summary>
public sealed class PostgresSweepStateIndex(NpgsqlDataSource database, DatabaseRetry retry, IOptions<Orleans.Configuration.ClusterOptions> cluster)
    : ISweepStateIndex, IStoredSweepVersion
{
    public Task<IReadOnlyList<string>> SweepNamesAsync() => retry.RunAsync(ReadNamesAsync);

    public Task<string?> VersionAsync(string sweep, CancellationToken cancellation) => retry.RunAsync(async token =>
    {
        await using var command = database.CreateCommand(
            "SELECT max(version) FROM orleansstorage WHERE graintypestring = 'sweep' AND serviceid = @service AND grainidextensionstring = @sweep");
        command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
        command.Parameters.AddWithValue("sweep", sweep);
        return await command.ExecuteScalarAsync(token) is int version ? version.ToString(CultureInfo.InvariantCulture) : null;
    }, cancellation);

    private async Task<IReadOnlyList<string>> ReadNamesAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            "SELECT grainidextensionstring FROM orleansstorage WHERE graintypestring = 'sweep' AND serviceid = @service AND payloadbinary IS NOT NULL ORDER BY 1");
        command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellation))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }
}
