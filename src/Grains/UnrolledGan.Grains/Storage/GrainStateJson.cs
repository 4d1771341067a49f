using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace UnrolledGan.Grains.Storage;

/// <summary>
/// Grain state as JSON, the same in the embedded default's files and in the database's payloads, so either can be
/// read by a person (or by SQL: deploy/postgres/0002 reads the sweep's jobs from it). Field names are camelCase,
/// enums are names, and a metric that came out NaN or infinite is kept rather than failing the write.
/// </summary>
public sealed class GrainStateJson : IGrainStorageSerializer
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T? Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>(Options);
}
