using TorchSharp;
using UnrolledGan.Trainer.Measures;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class InferenceByOptimizationTests
{
    private const int Noise = 8;

    [Fact]
    public void ImagesTheGeneratorMadeAreReconstructedAlmostExactly()
    {
        using var generator = Generator(seed: 1);
        using var truth = torch.randn([16, Noise], generator: new torch.Generator(2));
        using var targets = Make(generator, truth);

        var errors = InferenceByOptimization.BestMse(generator, targets, Noise, starts: 3, iterations: 100, new torch.Generator(3));

        errors.Length.ShouldBe(16);
        errors.ShouldAllBe(e => e < 1e-4f);
    }

    [Fact]
    public void TheNoiseThatMadeAnImageIsRecovered()
    {
        // Linear 8 → 32 then tanh is one-to-one, so ‖G(z) − G(z*)‖² has its only minimum at z*.
        using var generator = Generator(seed: 11, ScalarType.Float64);
        using var truth = torch.randn([6, Noise], dtype: ScalarType.Float64, generator: new torch.Generator(12));
        using var targets = Make(generator, truth);

        var result = InferenceByOptimization.Reconstruct(generator, targets, Noise, starts: 3, iterations: 100, new torch.Generator(13));

        result.BestNoise.data<double>().ToArray().ShouldBe(truth.data<double>().ToArray(), 1e-4);
        result.Errors.ShouldAllBe(e => e < 1e-9f);
        result.Iterations.ShouldAllBe(n => n < 100, "each start stops on its own test, not at the budget");
    }

    [Fact]
    public void AnUnreachableTargetNeitherStopsNorSlowsTheOthers()
    {
        // With one L-BFGS over the whole batch, the unreachable targets' curvature and never-shrinking loss would steer
        // and hold the shared search; optimized separately, each reachable one converges and stops on its own test.
        using var generator = Generator(seed: 14, ScalarType.Float64);
        using var truth = torch.randn([4, Noise], dtype: ScalarType.Float64, generator: new torch.Generator(15));
        using var reachable = Make(generator, truth);
        using var unreachable = torch.full([4, 32], 1.5, dtype: ScalarType.Float64);
        using var mixed = torch.cat([reachable, unreachable], 0);

        var together = InferenceByOptimization.Reconstruct(generator, mixed, Noise, starts: 1, iterations: 100, new torch.Generator(16));

        together.Errors.Take(4).ShouldAllBe(e => e < 1e-9f);
        together.Iterations.Take(4).ShouldAllBe(n => n < 100, "each reachable target stops on its own test");
        together.Stops.Take(4).ShouldAllBe(s => s != LbfgsStop.IterationLimit);
        together.Errors.Skip(4).ShouldAllBe(e => e > 0.25f);
    }

    [Fact]
    public void ImagesOutsideTheGeneratorsRangeKeepALargeError()
    {
        // tanh outputs lie in (−1, 1); targets at ±1.5 are at least 0.25 away in squared error per value.
        using var generator = Generator(seed: 4);
        using var signs = torch.randint(0, 2, [8, 32], generator: new torch.Generator(5)).to(ScalarType.Float32);
        using var targets = signs * 3 - 1.5;

        var errors = InferenceByOptimization.BestMse(generator, targets, Noise, starts: 3, iterations: 50, new torch.Generator(6));

        errors.ShouldAllBe(e => e > 0.25f);
    }

    [Fact]
    public void TheGeneratorIsLeftAsItWas()
    {
        using var generator = Generator(seed: 7);
        generator.train();
        var before = generator.parameters().Select(p => p.detach().clone()).ToArray();
        using var targets = torch.zeros(4, 32);

        InferenceByOptimization.BestMse(generator, targets, Noise, starts: 2, iterations: 20, new torch.Generator(8));

        generator.training.ShouldBeTrue();
        foreach (var (parameter, original) in generator.parameters().Zip(before))
        {
            parameter.requires_grad.ShouldBeTrue();
            parameter.grad.ShouldBeNull();
            parameter.detach().eq(original).all().item<bool>().ShouldBeTrue();
        }
    }

    [Fact]
    public void MismatchedTargetsAreRejectedBeforeOptimizing()
    {
        using var generator = Generator(seed: 9);
        using var targets = torch.zeros(4, 31);

        Should.Throw<ArgumentException>(() =>
            InferenceByOptimization.BestMse(generator, targets, Noise, starts: 1, iterations: 5, new torch.Generator(10)));
    }

    private static nn.Module<Tensor, Tensor> Generator(int seed, ScalarType dtype = ScalarType.Float32)
    {
        torch.manual_seed(seed);
        var generator = nn.Sequential(nn.Linear(Noise, 32), nn.Tanh());
        generator.to(dtype);
        return generator;
    }

    private static Tensor Make(nn.Module<Tensor, Tensor> generator, Tensor z)
    {
        using var _ = torch.no_grad();
        return generator.call(z).detach();
    }
}
