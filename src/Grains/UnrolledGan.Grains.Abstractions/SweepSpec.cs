using System.Text.Json.Serialization;

namespace UnrolledGan.Grains;

/// <summary>
/// A sweep as the user describes it: an experiment, the axes K × size × seed, a budget and overrides, the metrics
/// to tabulate, and how to run it. The grid it expands to is fixed by this record alone.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SweepSpec
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Experiment { get; init; }
    [Id(2)] public string Preset { get; init; } = "quick";

    /// <summary>The K axis (paper: 0, 1, 5, 10). Named unroll in specs, stored states and fingerprints, as it always was.</summary>
    [Id(3), JsonPropertyName("unroll")] public required IReadOnlyList<int> Unrolls { get; init; }

    /// <summary>The size axis, and the config field it sets: discriminatorSize (App. E) or modelSize (App. F, both networks).</summary>
    [Id(4)] public IReadOnlyList<double> Sizes { get; init; } = [1.0];
    [Id(5)] public SizeAxis SizeAxis { get; init; } = SizeAxis.DiscriminatorSize;

    /// <summary>The seeds; the same seed gives the same initial networks at every K, so columns are paired.</summary>
    [Id(6)] public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>Training steps per job; null keeps the preset's.</summary>
    [Id(7)] public int? Steps { get; init; }

    /// <summary>Any trainer config field by dotted path, e.g. mixture.initGain → 0.8.</summary>
    [Id(8)] public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Metrics to tabulate; empty means all the experiment reports.</summary>
    [Id(9)] public IReadOnlyList<string> Metrics { get; init; } = [];

    /// <summary>Times a failed job is run again before it counts as failed.</summary>
    [Id(10)] public int Retries { get; init; } = 2;

    /// <summary>Most jobs of this sweep running at once; 0 means as many as there are free worker slots.</summary>
    [Id(11)] public int Concurrency { get; init; }

    /// <summary>The order jobs are handed out in; it changes when each runs, never what it computes.</summary>
    [Id(12)] public SweepDispatch Dispatch { get; init; } = SweepDispatch.LongestFirst;
}

[GenerateSerializer]
public enum SweepDispatch
{
    /// <summary>The longest expected job first (by K, steps and size, refined by the sweep's finished jobs), so slots stay busy to the end.</summary>
    LongestFirst,

    /// <summary>K × size × seed in the order the spec lists them.</summary>
    GridOrder,
}

[GenerateSerializer]
public enum SizeAxis
{
    DiscriminatorSize,
    ModelSize,
}
