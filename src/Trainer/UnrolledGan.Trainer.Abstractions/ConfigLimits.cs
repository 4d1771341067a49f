namespace UnrolledGan.Trainer;

/// <summary>
/// The largest value each memory-bearing config field may take, in one place (README, "Bad input and faults"). Each
/// is far above anything the paper or a shipped spec uses (largest K 20 in Fig. 3, batch 512, 25,600 evaluation
/// samples in Table 1, sizes X ≤ 1), so the bounds only stop a typo or an attack from asking for terabytes; what a
/// job within them may use is checked separately against the workers' per-job limit (<see cref="JobMemory"/>).
/// </summary>
public static class ConfigLimits
{
    public const int MaxUnroll = 100;
    public const int MaxBatchSize = 65_536;
    public const int MaxNoiseDimension = 65_536;
    public const int MaxHiddenUnits = 65_536;
    public const int MaxLayers = 64;

    /// <summary>X of Apps. E and F; 16 turns App. D's 512-channel layer into 8,192 channels.</summary>
    public const double MaxSizeFactor = 16;

    public const int MaxEvalSamples = 1_000_000;
    public const int MaxThreads = 1024;
    public const int MaxEnsembleSize = 1000;
    public const int MaxModes = 100_000;
    public const int MaxInferenceTargets = 100_000;
    public const int MaxInferenceStarts = 100;
    public const int MaxDistancePairs = 10_000_000;
    public const int MaxPictureSamples = 1024;
}
