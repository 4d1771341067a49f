using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Storage;

/// <summary>
/// Grain state as readable JSON files under the results folder: the embedded, single-machine default, and what
/// several silos on one machine share. Each write replaces its file atomically, and an ETag check refuses a write
/// from a stale activation (between the check and the rename another writer can slip in: clusters use PostgreSQL).
/// A file that cannot be read is moved aside (name.json.corrupt-&lt;time&gt;) and reported, and the grain starts
/// empty, so one damaged file stops one grain from loading its past, and nothing else.
/// </summary>
public sealed class FileGrainStorage(string folder, DamagedStates damaged, ILogger<FileGrainStorage> logger) : IGrainStorage
{
    private static readonly JsonSerializerOptions Json = new(GrainStateJson.Options) { WriteIndented = true };

    public string Folder { get; } = Path.GetFullPath(folder);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            return;
        }
        try
        {
            var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
            grainState.State = document["state"].Deserialize<T>(Json) ?? throw new JsonException("no state in the file");
            grainState.ETag = (string?)document["etag"];
            grainState.RecordExists = true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            string? aside = TrainerProtocol.SetAside(path);
            string what = $"its stored state was unreadable ({e.Message}) and was moved to {aside}";
            logger.LogError("Grain {Grain}: {What}", grainId, what);
            damaged.Record(grainId, what);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        await CheckETagAsync(path, grainState.ETag);
        string etag = Guid.NewGuid().ToString("N");
        var document = new JsonObject { ["etag"] = etag, ["state"] = JsonSerializer.SerializeToNode(grainState.State, Json) };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, document.ToJsonString(Json));
        File.Move(temporary, path, overwrite: true);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        await CheckETagAsync(path, grainState.ETag);
        File.Delete(path);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static async Task CheckETagAsync(string path, string? expected)
    {
        string? stored = File.Exists(path) ? (string?)JsonNode.Parse(await File.ReadAllTextAsync(path))!["etag"] : null;
        if (stored != expected)
        {
            throw new InconsistentStateException($"the state in '{path}' was changed by another activation", stored, expected);
        }
    }

    private string PathOf(string stateName, GrainId grainId) =>
        Path.Combine(Folder, stateName, Uri.EscapeDataString(grainId.Key.ToString()!) + ".json");
}
