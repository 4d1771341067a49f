using System.Text.Json;
using System.Text.Json.Serialization;

namespace UnrolledGan.Trainer;

/// <summary>The one JSON dialect of configs, progress lines and result files: camelCase, kebab-case enums, unknown fields rejected.</summary>
public static class TrainerJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    /// <summary>For progress lines: one event per line.</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = indented,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
