namespace UnrolledGan.Trainer;

/// <summary>A quantity a job reports, and which direction of it is better (the paper bolds the best column).</summary>
public sealed record MetricDefinition(string Name, string Title, bool HigherIsBetter);

/// <summary>The experiments the trainer can run and the metrics each reports.</summary>
public static class Experiments
{
    public const string MixtureOfGaussians = "mixture-of-gaussians";

    /// <summary>§3.2, App. C: an LSTM generator against a convolutional discriminator.</summary>
    public const string RnnMnist = "rnn-mnist";

    /// <summary>§3.3.1, App. E: three digits stacked as colour channels, 1,000 modes.</summary>
    public const string StackedMnist = "stacked-mnist";

    /// <summary>§3.3.2, App. F: digits in a Gaussian-distributed colour.</summary>
    public const string ColoredMnist = "colored-mnist";

    /// <summary>§3.4, App. D: the convolutional GAN for CIFAR-10 (or MNIST, Fashion-MNIST), scored by inference via optimization.</summary>
    public const string Cifar10 = "cifar10";

    /// <summary>The data sets each experiment can train on; the first is its default.</summary>
    public static IReadOnlyList<string> DatasetsOf(string experiment) => experiment switch
    {
        RnnMnist => ["mnist", "fashion-mnist"],
        StackedMnist => ["mnist"],
        ColoredMnist => ["mnist", "fashion-mnist"],
        Cifar10 => ["cifar10", "mnist", "fashion-mnist"],
        _ => [],
    };

    public static class Metrics
    {
        public const string ModesCovered = "modesCovered";
        public const string HighQualityFraction = "highQualityFraction";
        public const string ReverseKl = "reverseKl";
        public const string JsDivergence = "jsDivergence";
        public const string InferenceMse = "inferenceMse";
        public const string PercentBestRank = "percentBestRank";
        public const string DistanceMedian = "distanceMedian";
        public const string DistanceMedianRatio = "distanceMedianRatio";
    }

    private static readonly Dictionary<string, IReadOnlyList<MetricDefinition>> _metrics = new()
    {
        [MixtureOfGaussians] =
        [
            new(Metrics.ModesCovered, "Modes covered", HigherIsBetter: true),
            new(Metrics.HighQualityFraction, "High-quality samples", HigherIsBetter: true),
            new(Metrics.ReverseKl, "KL(model || data)", HigherIsBetter: false),
        ],
        [RnnMnist] =
        [
            new(Metrics.ModesCovered, "Digit classes generated", HigherIsBetter: true),
            new(Metrics.ReverseKl, "KL(model || data) over digits", HigherIsBetter: false),
            new(Metrics.DistanceMedian, "Pairwise distance median", HigherIsBetter: true),
            new(Metrics.DistanceMedianRatio, "Pairwise distance median / data's", HigherIsBetter: true),
        ],
        [StackedMnist] =
        [
            new(Metrics.ModesCovered, "Modes generated", HigherIsBetter: true),
            new(Metrics.ReverseKl, "KL(model || data)", HigherIsBetter: false),
        ],
        [ColoredMnist] =
        [
            new(Metrics.JsDivergence, "JS divergence of colours", HigherIsBetter: false),
            new(Metrics.DistanceMedian, "Pairwise distance median", HigherIsBetter: true),
            new(Metrics.DistanceMedianRatio, "Pairwise distance median / data's", HigherIsBetter: true),
        ],
        [Cifar10] =
        [
            new(Metrics.InferenceMse, "Average MSE", HigherIsBetter: false),
            new(Metrics.PercentBestRank, "Percent best rank", HigherIsBetter: true),
            new(Metrics.DistanceMedian, "Pairwise distance median", HigherIsBetter: true),
            new(Metrics.DistanceMedianRatio, "Pairwise distance median / data's", HigherIsBetter: true),
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
