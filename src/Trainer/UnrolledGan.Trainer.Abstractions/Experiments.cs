namespace UnrolledGan.Trainer;

/// <summary>Which mean of a metric the table bolds: the highest, the lowest, or the one closest to a target value.</summary>
public enum Better
{
    Higher,
    Lower,

    /// <summary>A ratio to the data's own value, for example, where both too low and too high are wrong.</summary>
    CloserToTarget,

    /// <summary>No column is best: the value only makes sense beside another row (a raw median beside its ratio to the data's).</summary>
    Unranked,
}

/// <summary>A quantity a job reports, and which of its values is best (the paper bolds the best column).</summary>
public sealed record MetricDefinition(string Name, string Title, Better Better, double Target = 0)
{
    public static MetricDefinition Higher(string name, string title) => new(name, title, Better.Higher);

    public static MetricDefinition Lower(string name, string title) => new(name, title, Better.Lower);

    public static MetricDefinition ClosestTo(double target, string name, string title) => new(name, title, Better.CloserToTarget, target);

    public static MetricDefinition Unranked(string name, string title) => new(name, title, Better.Unranked);

    /// <summary>How far a value is from the best possible: smaller is better, whatever the metric's direction; null when unranked.</summary>
    public double? Shortfall(double value) => Better switch
    {
        Better.Higher => -value,
        Better.Lower => value,
        Better.CloserToTarget => Math.Abs(value - Target),
        _ => null,
    };
}

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

    // The KL rows are all KL(model ‖ uniform): each data set puts equal mass on its modes or classes, so that is
    // KL(model ‖ data) over them. The mixture's is over every sample's nearest mode (MixtureMetrics says why).
    private static readonly Dictionary<string, IReadOnlyList<MetricDefinition>> _metrics = new()
    {
        [MixtureOfGaussians] =
        [
            MetricDefinition.Higher(Metrics.ModesCovered, "Modes covered"),
            MetricDefinition.Higher(Metrics.HighQualityFraction, "High-quality samples"),
            MetricDefinition.Lower(Metrics.ReverseKl, "KL(model ‖ uniform) over nearest modes"),
        ],
        [RnnMnist] =
        [
            MetricDefinition.Higher(Metrics.ModesCovered, "Digit classes generated"),
            MetricDefinition.Lower(Metrics.ReverseKl, "KL(model ‖ uniform) over digit classes"),
            MetricDefinition.Unranked(Metrics.DistanceMedian, "Pairwise distance median"),
            MetricDefinition.ClosestTo(1, Metrics.DistanceMedianRatio, "Pairwise distance median / data's"),
        ],
        [StackedMnist] =
        [
            MetricDefinition.Higher(Metrics.ModesCovered, "Modes generated"),
            MetricDefinition.Lower(Metrics.ReverseKl, "KL(model ‖ uniform) over 1,000 modes"),
        ],
        [ColoredMnist] =
        [
            MetricDefinition.Lower(Metrics.JsDivergence, "JS divergence of colours"),
            MetricDefinition.Unranked(Metrics.DistanceMedian, "Pairwise distance median"),
            MetricDefinition.ClosestTo(1, Metrics.DistanceMedianRatio, "Pairwise distance median / data's"),
        ],
        [Cifar10] =
        [
            MetricDefinition.Lower(Metrics.InferenceMse, "Average MSE"),
            MetricDefinition.Higher(Metrics.PercentBestRank, "Percent best rank"),
            MetricDefinition.Unranked(Metrics.DistanceMedian, "Pairwise distance median"),
            MetricDefinition.ClosestTo(1, Metrics.DistanceMedianRatio, "Pairwise distance median / data's"),
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
