namespace UnrolledGan.Trainer;

/// <summary>Named starting points for a config: the paper's own settings, the reference notebook's, and a quick budget for small machines.</summary>
public static class Presets
{
    public const string Quick = "quick";
    public const string Paper = "paper";
    public const string Notebook = "notebook";

    public static IReadOnlyList<string> Names { get; } = [Quick, Paper, Notebook];

    public static TrainingConfig Create(string experiment, string preset)
    {
        Experiments.Require(experiment);
        if (!Names.Contains(preset))
        {
            throw new ConfigException("preset", $"unknown preset '{preset}' (known: {string.Join(", ", Names)})");
        }
        if (experiment != Experiments.MixtureOfGaussians)
        {
            return preset switch
            {
                Paper => ImagePresets.Paper(experiment),
                Quick => ImagePresets.Quick(experiment),
                _ => throw new ConfigException("preset", $"'{preset}' is a preset of {Experiments.MixtureOfGaussians} only (use {Quick} or {Paper})"),
            };
        }
        return preset switch
        {
            Paper => MixturePaper,
            Notebook => MixtureNotebook,
            _ => MixtureQuick,
        };
    }

    /// <summary>App. A exactly: relu, a 1-layer discriminator on input scaled by 1/4, gain 0.8, lr 1e-4 for both, alternating G/D steps.</summary>
    private static TrainingConfig MixturePaper { get; } = new()
    {
        Experiment = Experiments.MixtureOfGaussians,
        Preset = Paper,
        Unroll = 10,
        Steps = 100_000,
        Schedule = Schedule.Alternating,
        GeneratorLearningRate = 1e-4,
        DiscriminatorLearningRate = 1e-4,
        Beta1 = 0.5,
        BatchSize = 512,
        Mixture = new MixtureOptions
        {
            Activation = Activation.Relu,
            GeneratorLayers = 2,
            DiscriminatorLayers = 1,
            DiscriminatorInputScale = 0.25,
            InitGain = 0.8,
        },
        LogInterval = 500,
        SnapshotInterval = 10_000,
        CheckpointInterval = 5_000,
    };

    /// <summary>github.com/poolio/unrolled_gan: tanh, 2-layer discriminator, gain 1.4, G lr 1e-3, D lr 1e-4, both updated every iteration.</summary>
    private static TrainingConfig MixtureNotebook { get; } = new()
    {
        Experiment = Experiments.MixtureOfGaussians,
        Preset = Notebook,
        Unroll = 5,
        Steps = 25_000,
        Schedule = Schedule.Simultaneous,
        GeneratorLearningRate = 1e-3,
        DiscriminatorLearningRate = 1e-4,
        Beta1 = 0.5,
        BatchSize = 512,
        Mixture = new MixtureOptions
        {
            Activation = Activation.Tanh,
            GeneratorLayers = 2,
            DiscriminatorLayers = 2,
            DiscriminatorInputScale = 1.0,
            InitGain = 1.4,
        },
        LogInterval = 250,
        SnapshotInterval = 5_000,
        CheckpointInterval = 2_500,
    };

    /// <summary>
    /// App. A's networks trained with the notebook's optimizer settings (G lr 1e-3, both updated every step) for
    /// 10,000 steps: on a 2-core machine K = 0 visibly rotates through single modes while K = 10 spreads over all
    /// eight (each of seeds 0–2 reaches 8 of 8 by step 8,000), in about three minutes per K = 10 job. The
    /// notebook's 2-layer discriminator costs 3× more per unrolled step, and App. A's own learning rates need tens
    /// of thousands of steps (README, "Budgets").
    /// </summary>
    private static TrainingConfig MixtureQuick { get; } = MixturePaper with
    {
        Preset = Quick,
        Unroll = 10,
        Steps = 10_000,
        Schedule = Schedule.Simultaneous,
        GeneratorLearningRate = 1e-3,
        LogInterval = 100,
        SnapshotInterval = 1_000,
        CheckpointInterval = 1_000,
    };
}
