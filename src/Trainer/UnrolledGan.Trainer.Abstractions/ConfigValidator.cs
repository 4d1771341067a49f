using System.Text.RegularExpressions;

namespace UnrolledGan.Trainer;

/// <summary>Checks a config before any tensor exists: some libtorch errors abort the process instead of throwing.</summary>
public static partial class ConfigValidator
{
    public const int MinimumMixtureEvalSamples = 2500;

    public static IReadOnlyList<ConfigProblem> Validate(TrainingConfig config)
    {
        var check = new Checks();
        check.That(Experiments.IsKnown(config.Experiment), "experiment",
            $"unknown experiment '{config.Experiment}' (known: {string.Join(", ", Experiments.Names)})");
        check.That(Presets.Names.Contains(config.Preset), "preset",
            $"unknown preset '{config.Preset}' (known: {string.Join(", ", Presets.Names)})");
        check.Within("unroll", config.Unroll, 0, ConfigLimits.MaxUnroll);
        check.AtLeast("steps", config.Steps, 1);
        check.AtLeast("seed", config.Seed, 0);
        check.AtLeast("generatorUpdates", config.GeneratorUpdates, 1);
        check.AtLeast("discriminatorUpdates", config.DiscriminatorUpdates, 1);
        check.Within("discriminatorEnsemble.size", config.DiscriminatorEnsemble.Size, 1, ConfigLimits.MaxEnsembleSize);
        check.AtLeast("discriminatorEnsemble.period", config.DiscriminatorEnsemble.Period, 1);
        // App. B.1 tries the ensemble instead of unrolling, never with it; the generator's loss has no place for both.
        check.That(config.DiscriminatorEnsemble.Size <= 1 || config.Unroll == 0, "discriminatorEnsemble.size",
            $"an ensemble of {config.DiscriminatorEnsemble.Size} discriminators replaces unrolling (App. B.1), so it needs unroll 0 (got K = {config.Unroll})");
        check.Positive("generatorLearningRate", config.GeneratorLearningRate);
        check.Positive("discriminatorLearningRate", config.DiscriminatorLearningRate);
        check.That(config.Beta1 is >= 0 and < 1, "beta1", $"must be in [0, 1) (got {config.Beta1})");
        check.That(config.Beta2 is >= 0 and < 1, "beta2", $"must be in [0, 1) (got {config.Beta2})");
        check.Positive("adamEpsilon", config.AdamEpsilon);
        check.Within("batchSize", config.BatchSize, 1, ConfigLimits.MaxBatchSize);
        check.Within("noiseDimension", config.NoiseDimension, 1, ConfigLimits.MaxNoiseDimension);
        check.Positive("discriminatorSize", config.DiscriminatorSize, ConfigLimits.MaxSizeFactor);
        check.Positive("generatorSize", config.GeneratorSize, ConfigLimits.MaxSizeFactor);
        check.AtLeast("logInterval", config.LogInterval, 1);
        check.AtLeast("snapshotInterval", config.SnapshotInterval, 1);
        check.AtLeast("checkpointInterval", config.CheckpointInterval, 1);
        check.Within("threads", config.Threads, 1, ConfigLimits.MaxThreads);
        check.That(DevicePattern().IsMatch(config.Device), "device", $"must be cpu, cuda or cuda:N (got '{config.Device}')");

        if (config.Experiment == Experiments.MixtureOfGaussians)
        {
            var mixture = config.Mixture;
            check.Within("evalSamples", config.EvalSamples, MinimumMixtureEvalSamples, ConfigLimits.MaxEvalSamples);
            check.Within("mixture.modes", mixture.Modes, 1, ConfigLimits.MaxModes);
            check.Positive("mixture.radius", mixture.Radius);
            check.Positive("mixture.standardDeviation", mixture.StandardDeviation);
            check.Positive("mixture.discriminatorInputScale", mixture.DiscriminatorInputScale);
            check.Positive("mixture.initGain", mixture.InitGain);
            check.Within("mixture.generatorLayers", mixture.GeneratorLayers, 1, ConfigLimits.MaxLayers);
            check.Within("mixture.discriminatorLayers", mixture.DiscriminatorLayers, 1, ConfigLimits.MaxLayers);
            check.AtLeast("mixture.minSamplesPerMode", mixture.MinSamplesPerMode, 1);
            check.Within("mixture.hiddenUnits", mixture.HiddenUnits, 1, ConfigLimits.MaxHiddenUnits);
            check.That(Scaled(mixture.HiddenUnits, config.GeneratorSize) >= 1 && Scaled(mixture.HiddenUnits, config.DiscriminatorSize) >= 1,
                "mixture.hiddenUnits", $"scaled by generatorSize and discriminatorSize must leave at least one unit (got {mixture.HiddenUnits})");
        }
        else if (Experiments.IsKnown(config.Experiment))
        {
            var datasets = Experiments.DatasetsOf(config.Experiment);
            check.That(datasets.Contains(config.Dataset), "dataset",
                $"'{config.Dataset}' is not a data set of {config.Experiment} (known: {string.Join(", ", datasets)})");
            check.Within("evalSamples", config.EvalSamples, 2, ConfigLimits.MaxEvalSamples);
            check.Within("images.inferenceTargets", config.Images.InferenceTargets, 1, ConfigLimits.MaxInferenceTargets);
            check.Within("images.inferenceStarts", config.Images.InferenceStarts, 1, ConfigLimits.MaxInferenceStarts);
            check.AtLeast("images.inferenceIterations", config.Images.InferenceIterations, 1);
            check.Within("images.distancePairs", config.Images.DistancePairs, 1, ConfigLimits.MaxDistancePairs);
            check.Within("images.pictureSamples", config.Images.PictureSamples, 1, ConfigLimits.MaxPictureSamples);
            check.NotNegative("images.colorStandardDeviation", config.Images.ColorStandardDeviation);
            check.NotNegative("images.pixelNoise", config.Images.PixelNoise);
            // The narrowest layer of Apps. C–F is 8 units (App. E's discriminator) before scaling.
            check.That(Scaled(8, config.DiscriminatorSize) >= 1, "discriminatorSize", $"leaves a layer without units (got {config.DiscriminatorSize})");
            check.That(Scaled(64, config.GeneratorSize) >= 1, "generatorSize", $"leaves a layer without units (got {config.GeneratorSize})");
        }
        return check.Problems;
    }

    public static void ThrowIfInvalid(TrainingConfig config)
    {
        var problems = Validate(config);
        if (problems.Count > 0)
        {
            throw new ConfigException(problems);
        }
    }

    /// <summary>A layer width scaled by a size factor X, as Apps. E and F scale theirs.</summary>
    public static int Scaled(int width, double size) => (int)Math.Round(width * size);

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();

    private sealed class Checks
    {
        public List<ConfigProblem> Problems { get; } = [];

        public void That(bool ok, string field, string problem)
        {
            if (!ok)
            {
                Problems.Add(new ConfigProblem(field, problem));
            }
        }

        public void AtLeast(string field, int value, int minimum) =>
            That(value >= minimum, field, minimum switch
            {
                0 => $"must be 0 or more (got {value})",
                1 => $"must be positive (got {value})",
                _ => $"must be at least {minimum} (got {value})",
            });

        /// <summary>Also the upper bound of a memory-bearing field (<see cref="ConfigLimits"/>), named with it.</summary>
        public void Within(string field, int value, int minimum, int maximum)
        {
            AtLeast(field, value, minimum);
            That(value <= maximum, field, $"must be at most {maximum:N0} (got {value:N0}; README, \"Bad input and faults\")");
        }

        public void Positive(string field, double value, double maximum = double.MaxValue) =>
            That(value > 0 && value <= maximum, field, maximum == double.MaxValue
                ? $"must be a positive finite number (got {value})"
                : $"must be a positive number of at most {maximum} (got {value})");

        public void NotNegative(string field, double value) =>
            That(value >= 0 && double.IsFinite(value), field, $"must be a finite number, 0 or more (got {value})");
    }
}
