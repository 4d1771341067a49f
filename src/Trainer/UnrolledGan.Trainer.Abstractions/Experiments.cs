namespace UnrolledGan.Trainer;

/// <summary>A quantity a job reports, and which direction of it is better (the paper bolds the best column).</summary>
public sealed record MetricDefinition(string Name, string Title, bool HigherIsBetter);

/// <summary>The experiments the trainer can run and the metrics each reports.</summary>
public static class Experiments
{
    public const string MixtureOfGaussians = "mixture-of-gaussians";

    public static class Metrics
    {
        public const string ModesCovered = "modesCovered";
        public const string HighQualityFraction = "highQualityFraction";
        public const string ReverseKl = "reverseKl";
    }

    private static readonly Dictionary<string, IReadOnlyList<MetricDefinition>> _metrics = new()
    {
        [MixtureOfGaussians] =
        [
            new(Metrics.ModesCovered, "Modes covered", HigherIsBetter: true),
            new(Metrics.HighQualityFraction, "High-quality samples", HigherIsBetter: true),
            new(Metrics.ReverseKl, "KL(model || data)", HigherIsBetter: false),
        ],
    };

    public static IReadOnlyCollection<string> Names => _metrics.Keys;

    public static bool IsKnown(string experiment) => _metrics.ContainsKey(experiment);

    public static IReadOnlyList<MetricDefinition> MetricsOf(string experiment) =>
        _metrics.TryGetValue(experiment, out var metrics) ? metrics : throw Unknown(experiment);

    public static void Require(string experiment)
    {
        if (!IsKnown(experiment))
        {
            throw Unknown(experiment);
        }
    }

    private static ConfigException Unknown(string experiment) =>
        new("experiment", $"unknown experiment '{experiment}' (known: {string.Join(", ", Names)})");
}
