using System.Text.Json;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>Reads the measure files a job leaves beside its result; a missing or unreadable file is no measure, not an error.</summary>
internal static class JobFiles
{
    public static T? Read<T>(string path) where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), TrainerJson.Options) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}
