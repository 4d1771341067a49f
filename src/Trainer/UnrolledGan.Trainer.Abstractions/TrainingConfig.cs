namespace UnrolledGan.Trainer;

/// <summary>
/// The whole configuration of one training job. It is the sweep point, the logged config and the config saved
/// with every checkpoint and result, so a result can always be traced back to exactly what produced it.
/// </summary>
public sealed record TrainingConfig
{
    public string Experiment { get; init; } = Experiments.MixtureOfGaussians;
    public string Preset { get; init; } = Presets.Quick;

    /// <summary>K, the number of unrolled discriminator steps (paper §2.2).</summary>
    public int Unroll { get; init; } = 5;

    /// <summary>Backpropagate through the unrolling, the second term of Eq. 12. False is App. B.2's stop_gradient ablation.</summary>
    public bool SecondGradient { get; init; } = true;

    /// <summary>
    /// Which unrolled discriminators the generator's loss uses: θ_D^K (Eq. 9), or App. B.2's third configuration, the
    /// mean of f over θ_D^1 … θ_D^K (θ_D^0 excluded; with K = 0 both are the plain loss).
    /// </summary>
    public UnrollTarget UnrollTarget { get; init; } = UnrollTarget.Final;

    /// <summary>App. B.1's historical averaging: the generator descends the mean loss over an ensemble of past discriminators.</summary>
    public DiscriminatorEnsemble DiscriminatorEnsemble { get; init; } = new();

    /// <summary>Draw a new minibatch for every unrolling step instead of the fixed one (paper §3 uses fixed).</summary>
    public bool ResampleUnrollBatch { get; init; }

    public int Seed { get; init; }

    /// <summary>Training steps as the schedule counts them: one G or one D update when alternating, one joint update when simultaneous.</summary>
    public int Steps { get; init; } = 5000;

    public Schedule Schedule { get; init; } = Schedule.Simultaneous;

    /// <summary>Generator and discriminator updates per cycle; App. B.2 uses 5:1.</summary>
    public int GeneratorUpdates { get; init; } = 1;
    public int DiscriminatorUpdates { get; init; } = 1;

    public GeneratorLoss GeneratorLoss { get; init; } = GeneratorLoss.Minimax;

    /// <summary>The discriminator's optimizer, used for its own update (Eq. 11) and, identically, for the K unrolled steps (Eq. 7).</summary>
    public OptimizerKind DiscriminatorOptimizer { get; init; } = OptimizerKind.Adam;

    public double GeneratorLearningRate { get; init; } = 1e-3;
    public double DiscriminatorLearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public double AdamEpsilon { get; init; } = 1e-8;

    public int BatchSize { get; init; } = 512;
    public int NoiseDimension { get; init; } = 256;

    /// <summary>X in Apps. E and F: the discriminator's width relative to the base architecture.</summary>
    public double DiscriminatorSize { get; init; } = 1.0;

    /// <summary>X in App. F: the generator's width relative to the base architecture.</summary>
    public double GeneratorSize { get; init; } = 1.0;

    public MixtureOptions Mixture { get; init; } = new();

    /// <summary>The image experiments' data set: mnist, fashion-mnist or cifar10 (where the experiment allows it).</summary>
    public string Dataset { get; init; } = "mnist";

    public ImageOptions Images { get; init; } = new();

    /// <summary>Samples drawn for each evaluation (at least 2,500 for the mixture metrics).</summary>
    public int EvalSamples { get; init; } = 2500;

    /// <summary>Steps between progress lines; losses are read back from the device only here.</summary>
    public int LogInterval { get; init; } = 100;
    public int SnapshotInterval { get; init; } = 1000;
    public int CheckpointInterval { get; init; } = 1000;

    /// <summary>Intra-op threads for this job. Results are bit-identical only for the same thread count.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>Architecture and metric settings of the 2-D mixture of Gaussians (App. A and the reference notebook).</summary>
public sealed record MixtureOptions
{
    public int Modes { get; init; } = 8;
    public double Radius { get; init; } = 2.0;
    public double StandardDeviation { get; init; } = 0.02;

    public Activation Activation { get; init; } = Activation.Tanh;
    public int HiddenUnits { get; init; } = 128;
    public int GeneratorLayers { get; init; } = 2;
    public int DiscriminatorLayers { get; init; } = 2;

    /// <summary>App. A scales the discriminator's input by 1/4; the notebook does not scale it.</summary>
    public double DiscriminatorInputScale { get; init; } = 1.0;

    /// <summary>Gain of the orthogonal weight initialization: 0.8 in App. A, 1.4 in the notebook.</summary>
    public double InitGain { get; init; } = 1.4;

    /// <summary>A mode is covered when at least this many high-quality samples (within 3σ) fall in it.</summary>
    public int MinSamplesPerMode { get; init; } = 25;
}

/// <summary>Settings of the image experiments' measures (§3.3–3.4): how many samples, targets and pairs they use.</summary>
public sealed record ImageOptions
{
    /// <summary>Data images whose reconstruction by optimization is measured (§3.4.1; the paper uses 1,280).</summary>
    public int InferenceTargets { get; init; } = 1280;

    /// <summary>Random starts of z per target; the best reconstruction counts (§3.4.1: 3).</summary>
    public int InferenceStarts { get; init; } = 3;

    /// <summary>L-BFGS iterations per start.</summary>
    public int InferenceIterations { get; init; } = 100;

    /// <summary>Random pairs whose ℓ2 distance is measured, for the model and the data alike (§3.4.2).</summary>
    public int DistancePairs { get; init; } = 10_000;

    /// <summary>Standard deviation of the digit colour (App. F.1: 0.5).</summary>
    public double ColorStandardDeviation { get; init; } = 0.5;

    /// <summary>Standard deviation of the per-pixel noise (App. F.1: 0.2).</summary>
    public double PixelNoise { get; init; } = 0.2;

    /// <summary>Generated images shown in each snapshot picture.</summary>
    public int PictureSamples { get; init; } = 64;
}

/// <summary>
/// App. B.1: the generator's loss is the mean of its loss over <see cref="Size"/> copies of θ_D, one taken at the start
/// of every <see cref="Period"/>-th training step (steps 0, P, 2P, …; in the alternating schedule a step is one G or one
/// D update), the newest Size kept, so all of them are replaced every Size × P steps (Fig. App.2: 5 over 500 steps at
/// P = 100). A copy identical to the newest is skipped, so Period 1 gives the Size immediately preceding distinct
/// discriminators, the live one first (Fig. App.1). Until Size copies exist the mean is over those there are. An
/// ensemble replaces unrolling, so it needs K = 0. Size 1 is the plain GAN.
/// </summary>
public sealed record DiscriminatorEnsemble
{
    public int Size { get; init; } = 1;
    public int Period { get; init; } = 1;
}

public enum UnrollTarget
{
    /// <summary>f(θ_G, θ_D^K), Eq. 9.</summary>
    Final,

    /// <summary>The mean of f(θ_G, θ_D^k) over k = 1 … K (App. B.2, used there with stop_gradient).</summary>
    Average,
}

public enum Schedule
{
    /// <summary>App. A: one step is either a G or a D update.</summary>
    Alternating,

    /// <summary>The reference notebook: both networks are updated every step, from the same parameters.</summary>
    Simultaneous,
}

public enum GeneratorLoss
{
    /// <summary>G minimizes f of Eq. 4 (App. A, the reference notebook).</summary>
    Minimax,

    /// <summary>G minimizes −log D(G(z)) (Apps. C and D, whose sign is garbled in the text).</summary>
    NonSaturating,
}

public enum OptimizerKind
{
    Adam,
    Sgd,
}

public enum Activation
{
    Relu,
    Tanh,
}
