using System.Text.Json;
using UnrolledGan.Trainer.Runs;

namespace UnrolledGan.Trainer.Tests;

/// <summary>A progress line is JSON, which has no infinity or NaN: a diverged value is logged as missing, never a crash.</summary>
public sealed class LossLogTests
{
    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.NaN)]
    public void ANonFiniteValueIsMissingAndTheLineStillSerializes(double value)
    {
        var progress = new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Progress, Step = 60, TotalSteps = 1000,
            GeneratorLoss = LossLog.Finite(60, "generator loss", value), EtaSeconds = LossLog.Finite(60, "ETA", 12.5),
        };

        string line = JsonSerializer.Serialize(progress, TrainerJson.Compact);

        progress.GeneratorLoss.ShouldBeNull();
        progress.EtaSeconds.ShouldBe(12.5);
        line.ShouldContain("\"etaSeconds\":12.5");
        Should.Throw<ArgumentException>(() => JsonSerializer.Serialize(progress with { GeneratorLoss = value }, TrainerJson.Compact));
    }
}
