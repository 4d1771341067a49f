using TorchSharp;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>Initial weights come from the generator passed in, never from libtorch's global one.</summary>
public sealed class InitializationTests
{
    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 5)]
    public void OrthogonalWeightsHaveOrthonormalRowsOrColumnsTimesTheGain(int rows, int columns)
    {
        using var random = new torch.Generator(4);
        using var weight = empty(rows, columns, dtype: ScalarType.Float64);

        Initialization.Orthogonal(weight, gain: 0.8, random);

        using var gram = rows < columns ? weight.mm(weight.t()) : weight.t().mm(weight);
        using var expected = eye(Math.Min(rows, columns), dtype: ScalarType.Float64) * 0.64;
        (gram - expected).abs().max().item<double>().ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void XavierWeightsStayWithinTheirBoundAndFillIt()
    {
        using var random = new torch.Generator(4);
        using var weight = empty(200, 100, 3, 3);
        double bound = Math.Sqrt(6.0 / ((200 + 100) * 9));

        Initialization.XavierUniform(weight, random);

        weight.abs().max().item<float>().ShouldBeLessThanOrEqualTo((float)bound);
        // U(−b, b) has variance b²/3; 180,000 draws put the sample variance within 1% of it.
        weight.var().item<float>().ShouldBe((float)(bound * bound / 3), bound * bound / 3 * 0.01);
    }

    [Fact]
    public void AJobsInitialWeightsDependOnItsSeedAloneNotOnTheGlobalGenerator()
    {
        var config = Presets.Create(Experiments.MixtureOfGaussians, Presets.Quick) with { Seed = 3 };

        torch.manual_seed(1);
        var first = Weights(config);
        torch.manual_seed(2);
        var second = Weights(config);
        var otherSeed = Weights(config with { Seed = 4 });

        second.ShouldBe(first);
        otherSeed.ShouldNotBe(first);
    }

    private static double[] Weights(TrainingConfig config)
    {
        using var experiment = ExperimentFactory.Create(config, CPU);
        return TinyGan.Flatten(experiment.Generator.parameters().Concat(experiment.Discriminator.Parameters).Select(p => p.to(ScalarType.Float64)));
    }
}
