using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.Storage;

namespace UnrolledGan.Grains.Storage;

/// <summary>
/// Grain state as readable JSON files under the results folder: the embedded, single-machine default, and what
/// several silos on one machine (or on one shared volume) share. Each write replaces its file atomically, and an
/// ETag check refuses a write from a stale activation. Clusters with a database use an Orleans provider instead.
/// </summary>
public sealed class FileGrainStorage(string folder) : IGrainStorage
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
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        grainState.State = document["state"].Deserialize<T>(Json)!;
        grainState.ETag = (string?)document["etag"];
        grainState.RecordExists = true;
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
