using System.Globalization;
using UnrolledGan.Grains;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace UnrolledGan.SweepClient.Specs;

/// <summary>
/// Reads a sweep spec from YAML (JSON is YAML too). Every problem names the field as written in the file; unknown
/// fields are errors, so a typo never silently falls back to a default.
/// </summary>
internal static class SweepSpecReader
{
    private static readonly string[] TopLevel = ["name", "experiment", "preset", "axes", "steps", "overrides", "metrics", "retries", "concurrency", "dispatch"];
    private static readonly string[] AxisNames = ["unroll", "seeds", "discriminatorSize", "modelSize"];

    public static SweepSpec Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SweepSpecException("spec", $"'{path}' does not exist");
        }
        return Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));
    }

    public static SweepSpec Parse(string text, string defaultName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new SweepSpecException("spec", $"malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way, without a position, on some unclosed flow collections.
            throw new SweepSpecException("spec", "malformed YAML: the parser stopped; an unclosed '[' or '{' is the usual cause");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SweepSpecException("spec", "expected a mapping of fields (name, experiment, axes, ...)");
        }
        var fields = Fields(root, "", TopLevel);
        var axes = fields.TryGetValue("axes", out var axesNode) ? Fields(Mapping(axesNode, "axes"), "axes.", AxisNames) : [];
        if (axes.ContainsKey("discriminatorSize") && axes.ContainsKey("modelSize"))
        {
            throw new SweepSpecException("axes", "give discriminatorSize or modelSize, not both");
        }
        var sizeAxis = axes.ContainsKey("modelSize") ? SizeAxis.ModelSize : SizeAxis.DiscriminatorSize;
        var sizes = axes.GetValueOrDefault("modelSize") ?? axes.GetValueOrDefault("discriminatorSize");
        var defaults = new SweepSpec { Name = defaultName, Experiment = "", Unrolls = [], Seeds = [] };
        return new SweepSpec
        {
            Name = Scalar(fields, "name") ?? defaultName,
            Experiment = Scalar(fields, "experiment") ?? throw new SweepSpecException("experiment", "is required"),
            Preset = Scalar(fields, "preset") ?? defaults.Preset,
            Unrolls = axes.TryGetValue("unroll", out var unroll) ? Numbers(unroll, "axes.unroll", ParseInt) : [0, 1, 5, 10],
            Sizes = sizes is null ? defaults.Sizes : Numbers(sizes, $"axes.{(sizeAxis == SizeAxis.ModelSize ? "modelSize" : "discriminatorSize")}", ParseDouble),
            SizeAxis = sizeAxis,
            Seeds = axes.TryGetValue("seeds", out var seeds) ? Seeds(seeds) : [0, 1, 2, 3, 4],
            Steps = Scalar(fields, "steps") is { } steps ? ParseInt(steps, "steps") : null,
            Overrides = fields.TryGetValue("overrides", out var overrides)
                ? Mapping(overrides, "overrides").Children.ToDictionary(p => Text(p.Key, "overrides"), p => Text(p.Value, $"overrides.{p.Key}"))
                : defaults.Overrides,
            Metrics = fields.TryGetValue("metrics", out var metrics) ? Sequence(metrics, "metrics").Select(m => Text(m, "metrics")).ToArray() : [],
            Retries = Scalar(fields, "retries") is { } retries ? ParseInt(retries, "retries") : defaults.Retries,
            Concurrency = Scalar(fields, "concurrency") is { } concurrency ? ParseInt(concurrency, "concurrency") : defaults.Concurrency,
            Dispatch = Scalar(fields, "dispatch") is { } dispatch ? ParseDispatch(dispatch, "dispatch") : defaults.Dispatch,
        };
    }

    public const string DispatchNames = "longest-first or grid-order";

    public static SweepDispatch ParseDispatch(string text, string field) => text.Trim() switch
    {
        "longest-first" => SweepDispatch.LongestFirst,
        "grid-order" => SweepDispatch.GridOrder,
        _ => throw new SweepSpecException(field, $"'{text}' is not a dispatch order ({DispatchNames})"),
    };

    /// <summary>No grid can hold more seeds than this (Results:MaxJobsPerSweep's own upper bound); checked before any list is built.</summary>
    public const int MaxSeedCount = 1_000_000;

    /// <summary>The seeds: a count n means 0 … n-1, or an explicit list.</summary>
    public static IReadOnlyList<int> Seeds(YamlNode node) => node is YamlScalarNode scalar
        ? Seeds(Text(scalar, "axes.seeds"), "axes.seeds")
        : Numbers(node, "axes.seeds", ParseInt);

    /// <summary>The one reading of a seed count ("3" is 0, 1, 2) or comma-separated list, for files and flags alike.</summary>
    public static IReadOnlyList<int> Seeds(string text, string field)
    {
        if (text.Contains(','))
        {
            return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => ParseInt(v, field)).ToArray();
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            throw new SweepSpecException(field, $"expected a count of at least 1 or a list of seeds, got '{text}'");
        }
        return count <= MaxSeedCount
            ? Enumerable.Range(0, count).ToArray()
            : throw new SweepSpecException(field, $"a count of at most {MaxSeedCount:N0} seeds, got {count:N0}");
    }

    public static int ParseInt(string text, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new SweepSpecException(field, $"expected an integer, got '{text}'");

    /// <summary>A finite number: "NaN", ".inf" and "1e400" (which overflows to infinity) name the field instead.</summary>
    public static double ParseDouble(string text, string field) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? double.IsFinite(value) ? value : throw new SweepSpecException(field, $"must be a finite number, got '{text}'")
            : throw new SweepSpecException(field, $"expected a number, got '{text}'");

    private static Dictionary<string, YamlNode> Fields(YamlMappingNode mapping, string prefix, string[] known)
    {
        var fields = new Dictionary<string, YamlNode>();
        foreach (var (key, value) in mapping.Children)
        {
            string name = Text(key, prefix.TrimEnd('.'));
            if (!known.Contains(name))
            {
                throw new SweepSpecException($"{prefix}{name}", $"unknown field (known: {string.Join(", ", known)})");
            }
            fields[name] = value;
        }
        return fields;
    }

    private static T[] Numbers<T>(YamlNode node, string field, Func<string, string, T> parse) => node is YamlScalarNode scalar
        ? [parse(Text(scalar, field), field)]
        : Sequence(node, field).Select(n => parse(Text(n, field), field)).ToArray();

    private static string? Scalar(Dictionary<string, YamlNode> fields, string name) =>
        fields.TryGetValue(name, out var node) ? Text(node, name) : null;

    private static string Text(YamlNode node, string field) => node is YamlScalarNode { Value: { } value }
        ? value
        : throw new SweepSpecException(field, $"expected a single value at line {node.Start.Line}");

    private static YamlMappingNode Mapping(YamlNode node, string field) => node as YamlMappingNode
        ?? throw new SweepSpecException(field, $"expected a mapping at line {node.Start.Line}");

    private static YamlSequenceNode Sequence(YamlNode node, string field) => node as YamlSequenceNode
        ?? throw new SweepSpecException(field, $"expected a list at line {node.Start.Line}");
}
