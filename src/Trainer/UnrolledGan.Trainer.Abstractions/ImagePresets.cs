namespace UnrolledGan.Trainer;

/// <summary>
/// The image experiments' presets. <c>paper</c> follows Apps. C–F; where they are silent (batch size, the steps and
/// learning rates of Apps. E and F, the generator loss of E and F) it takes App. D's settings, as the README lists.
/// <c>quick</c> keeps each appendix's architecture and shrinks only the budget and the measures' sample counts so
/// that a job runs in a few minutes on two CPU cores.
/// </summary>
internal static class ImagePresets
{
    /// <summary>App. D: Adam (β₁ 0.5), G lr 1e-4, D lr 2e-4, alternating single updates, 100k steps, −log D(G(z)).</summary>
    private static TrainingConfig PaperBase { get; } = new()
    {
        Preset = Presets.Paper,
        Unroll = 10,
        Steps = 100_000,
        Schedule = Schedule.Alternating,
        GeneratorLoss = GeneratorLoss.NonSaturating,
        GeneratorLearningRate = 1e-4,
        DiscriminatorLearningRate = 2e-4,
        Beta1 = 0.5,
        BatchSize = 64,
        NoiseDimension = 256,
        EvalSamples = 2560,
        LogInterval = 500,
        SnapshotInterval = 10_000,
        CheckpointInterval = 5_000,
    };

    public static TrainingConfig Paper(string experiment) => experiment switch
    {
        // App. C: both learning rates 1e-4, 150k alternating steps.
        Experiments.RnnMnist => PaperBase with
        {
            Experiment = experiment, Steps = 150_000, DiscriminatorLearningRate = 1e-4, Dataset = "mnist",
        },
        // §3.3.1: labels of 25,600 samples; Table 1's sizes are X = 1/4 and 1/2.
        Experiments.StackedMnist => PaperBase with
        {
            Experiment = experiment, Dataset = "mnist", DiscriminatorSize = 0.5, EvalSamples = 25_600,
        },
        // Table 2's sizes are X = 1/4, 1/2, 1 of both networks.
        Experiments.ColoredMnist => PaperBase with { Experiment = experiment, Dataset = "mnist", EvalSamples = 5_000 },
        Experiments.Cifar10 => PaperBase with { Experiment = experiment, Dataset = "cifar10" },
        _ => throw new ConfigException("experiment", $"no paper preset for '{experiment}'"),
    };

    /// <summary>
    /// Budgets for a 2-core machine (README, "Tables"): each appendix's architecture and batch, both networks updated
    /// every step (as the quick 2-D preset) at learning rate 5e-4, for 600–1,000 steps, with smaller samples for the
    /// measures. A GAN is far from converged after so few steps; these presets show the pipeline and the direction
    /// of an effect, not the paper's numbers.
    /// </summary>
    public static TrainingConfig Quick(string experiment)
    {
        var quick = Paper(experiment) with
        {
            Preset = Presets.Quick,
            Steps = 600,
            Schedule = Schedule.Simultaneous,
            GeneratorLearningRate = 5e-4,
            DiscriminatorLearningRate = 5e-4,
            EvalSamples = 1_000,
            LogInterval = 20,
            SnapshotInterval = 300,
            CheckpointInterval = 100,
            Images = new ImageOptions { InferenceTargets = 64, InferenceIterations = 20, DistancePairs = 2_000, PictureSamples = 36 },
        };
        return experiment switch
        {
            // Labelling 25,600 samples (76,800 digits) takes about 45 s here; a quarter keeps a snapshot near 11 s.
            Experiments.StackedMnist => quick with { Steps = 1_000, SnapshotInterval = 500, EvalSamples = 6_400 },
            // X = 1/4 of both networks: App. D's full widths take about 3 s per K = 10 step here.
            Experiments.ColoredMnist => quick with { EvalSamples = 2_000, GeneratorSize = 0.25, DiscriminatorSize = 0.25 },
            // No CIFAR-10 ships with this machine: App. D's model on MNIST.
            Experiments.Cifar10 => quick with { Dataset = "mnist", GeneratorSize = 0.25, DiscriminatorSize = 0.25 },
            _ => quick,
        };
    }
}
