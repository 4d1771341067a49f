using Microsoft.Extensions.Options;
using Npgsql;
using UnrolledGan.Grains.Storage;

namespace UnrolledGan.Hosting.Database;

/// <summary>The sweeps stored in the database for this service (their grain keys in orleansstorage).</summary>
public sealed class PostgresSweepStateIndex(NpgsqlDataSource database, DatabaseRetry retry, IOptions<Orleans.Configuration.ClusterOptions> cluster)
    : ISweepStateIndex
{
    public Task<IReadOnlyList<string>> SweepNamesAsync() => retry.RunAsync(ReadNamesAsync);

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
