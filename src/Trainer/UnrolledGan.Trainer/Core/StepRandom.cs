using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// Randomness as a pure function of (seed, step, stream): each step reseeds one generator from a hash of the three.
/// A job resumed from a checkpoint therefore draws exactly the minibatches an uninterrupted run would have drawn,
/// and evaluation never perturbs training.
/// </summary>
internal sealed class StepRandom(int seed, Device device) : IDisposable
{
    public const ulong TrainingStream = 1;
    public const ulong EvaluationStream = 2;
    public const ulong InitializationStream = 3;
    public const ulong FinalEvaluationStream = 4;

    private readonly Generator _generator = new(0, device);

    public Generator For(long step, ulong stream)
    {
        _generator.manual_seed(Mix(seed, step, stream));
        return _generator;
    }

    /// <summary>SplitMix64 finalizer over the three inputs, folded to a non-negative 63-bit seed.</summary>
    public static long Mix(int seed, long step, ulong stream)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xBF58476D1CE4E5B9UL ^ stream * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)(z >> 1);
    }

    public void Dispose() => _generator.Dispose();
}
