using System.Diagnostics;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Runs;

/// <summary>
/// The newest generator and discriminator losses, kept on the device past their step's dispose scope and read back
/// only at the log interval: reading a loss is a CPU sync point (nanoGPT's train.py does the same).
/// </summary>
internal sealed class LossLog(int firstStep) : IDisposable
{
    private Tensor? _generator;
    private Tensor? _discriminator;
    private long _windowStarted = Stopwatch.GetTimestamp();
    private int _windowFirstStep = firstStep;

    public void Keep(StepLosses losses)
    {
        Keep(ref _generator, losses.Generator);
        Keep(ref _discriminator, losses.Discriminator);
    }

    /// <summary>The progress line after <paramref name="step"/> steps, with the speed since the previous one.</summary>
    public ProgressEvent Read(int step, int totalSteps)
    {
        double rate = (step - _windowFirstStep) / Stopwatch.GetElapsedTime(_windowStarted).TotalSeconds;
        (_windowStarted, _windowFirstStep) = (Stopwatch.GetTimestamp(), step);
        return new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Progress, Step = step, TotalSteps = totalSteps,
            StepsPerSecond = Finite(step, "steps per second", Math.Round(rate, 2)),
            EtaSeconds = Finite(step, "ETA", Math.Round((totalSteps - step) / rate, 1)),
            GeneratorLoss = Finite(step, "generator loss", _generator?.item<float>()),
            DiscriminatorLoss = Finite(step, "discriminator loss", _discriminator?.item<float>()),
        };
    }

    /// <summary>
    /// JSON has no infinity or NaN: a diverged loss (or a rate over no time) is logged as missing, and said on stderr,
    /// rather than ending the job when its progress line is written.
    /// </summary>
    internal static double? Finite(int step, string what, double? value)
    {
        if (value is not { } number || double.IsFinite(number))
        {
            return value;
        }
        Console.Error.WriteLine($"warning: step {step}: the {what} is {number}; logged as missing");
        return null;
    }

    private static void Keep(ref Tensor? kept, Tensor? latest)
    {
        if (latest is null)
        {
            return;
        }
        kept?.Dispose();
        kept = latest.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _generator?.Dispose();
        _discriminator?.Dispose();
    }
}
