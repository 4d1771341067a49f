using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace UnrolledGan.Trainer;

/// <summary>
/// Builds a config the way every entry point does: the preset's defaults, then a config file's fields, then
/// <c>field=value</c> overrides (dotted paths for nested fields), then validation. Any unknown field, malformed
/// value or invalid setting becomes a <see cref="ConfigException"/> naming the field.
/// </summary>
public static class TrainingConfigBuilder
{
    public static TrainingConfig Build(JsonObject? file = null, IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var overrideList = (overrides ?? []).ToList();
        string experiment = Pick("experiment", file, overrideList) ?? Experiments.MixtureOfGaussians;
        string preset = Pick("preset", file, overrideList) ?? Presets.Quick;

        var node = JsonSerializer.SerializeToNode(Presets.Create(experiment, preset), TrainerJson.Options)!.AsObject();
        if (file is not null)
        {
            Merge(node, file, prefix: "");
        }
        foreach (var (path, value) in overrideList)
        {
            Set(node, path, value);
        }
        var config = Read(node);
        ConfigValidator.ThrowIfInvalid(config);
        return config;
    }

    /// <summary>
    /// <paramref name="config"/> with <c>field=value</c> overrides set, each read as the type its field has. Not
    /// validated: a sweep applies its overrides once and validates each grid point built from the result.
    /// </summary>
    public static TrainingConfig Apply(TrainingConfig config, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var node = JsonSerializer.SerializeToNode(config, TrainerJson.Options)!.AsObject();
        foreach (var (path, value) in overrides)
        {
            Set(node, path, value);
        }
        return Read(node);
    }

    /// <summary>The one reading of <c>--set field=value</c> flags, for the trainer and the sweep client alike; a later flag for a field wins.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseAssignments(IEnumerable<string> assignments) =>
        assignments.Select(assignment =>
        {
            int equals = assignment.IndexOf('=');
            return equals > 0
                ? KeyValuePair.Create(assignment[..equals].Trim(), assignment[(equals + 1)..].Trim())
                : throw new ConfigException("--set", $"expected field=value, got '{assignment}'");
        }).ToArray();

    public static JsonObject ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException("config", $"cannot read '{path}': {e.Message}");
        }
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new ConfigException("config", $"'{path}' must hold a JSON object");
        }
        catch (JsonException e)
        {
            throw new ConfigException("config", $"'{path}' is not valid JSON (line {e.LineNumber + 1}): {FirstSentence(e.Message)}");
        }
    }

    private static TrainingConfig Read(JsonObject node)
    {
        try
        {
            return node.Deserialize<TrainingConfig>(TrainerJson.Options)!;
        }
        catch (JsonException e)
        {
            // A whole-number field given 1e10 or 2.5 fails here too, as does a config file's 1e400 (not a finite double).
            throw new ConfigException(FieldOf(e.Path),
                "has a value of the wrong type (or out of range: whole-number fields take at most 2,147,483,647)");
        }
    }

    private static string? Pick(string field, JsonObject? file, List<KeyValuePair<string, string>> overrides)
    {
        var fromFlags = overrides.LastOrDefault(o => string.Equals(o.Key, field, StringComparison.OrdinalIgnoreCase));
        if (fromFlags.Key is not null)
        {
            return fromFlags.Value;
        }
        return file?[field] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
    }

    private static void Merge(JsonObject target, JsonObject source, string prefix)
    {
        foreach (var (key, value) in source)
        {
            string field = prefix + key;
            string name = KnownKey(target, key, field);
            if (target[name] is JsonObject nested && value is JsonObject nestedSource)
            {
                Merge(nested, nestedSource, field + ".");
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    private static void Set(JsonObject node, string path, string value)
    {
        string[] segments = path.Split('.');
        var target = node;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            string name = KnownKey(target, segments[i], string.Join('.', segments[..(i + 1)]));
            target = target[name] as JsonObject ?? throw new ConfigException(path, "is not a group of fields");
        }
        string leaf = KnownKey(target, segments[^1], path);
        target[leaf] = ParseLike(target[leaf], value, path);
    }

    /// <summary>Reads a flag's text as the type the field already has, so `--set unroll=ten` fails with the field's name.</summary>
    private static JsonNode? ParseLike(JsonNode? current, string text, string field)
    {
        switch (current?.GetValueKind())
        {
            case JsonValueKind.Number:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                {
                    throw new ConfigException(field, $"expected a number, got '{text}'");
                }
                // "NaN", "Infinity" and "1e400" all parse; no field means any of them, and JSON cannot hold them.
                return double.IsFinite(number)
                    ? JsonValue.Create(number)
                    : throw new ConfigException(field, $"must be a finite number, got '{text}'");
            case JsonValueKind.True or JsonValueKind.False:
                return bool.TryParse(text, out bool flag)
                    ? JsonValue.Create(flag)
                    : throw new ConfigException(field, $"expected true or false, got '{text}'");
            case JsonValueKind.Object:
                throw new ConfigException(field, "is a group of fields; set its members with a dotted path");
            default:
                return JsonValue.Create(text);
        }
    }

    private static string KnownKey(JsonObject target, string key, string field) =>
        target.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ConfigException(field, $"unknown field (known here: {string.Join(", ", target.Select(p => p.Key))})");

    private static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "config" : jsonPath.TrimStart('$', '.');

    private static string FirstSentence(string message) => message.Split(". ")[0];
}
