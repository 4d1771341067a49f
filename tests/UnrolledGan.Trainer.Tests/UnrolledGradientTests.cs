using TorchSharp;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>
/// The generator gradient of Eq. 12 against references that share no code with it: the surrogate loss f_K is
/// recomputed with torch.optim.Adam and differentiated by central finite differences.
/// </summary>
public sealed class UnrolledGradientTests
{
    private const double Epsilon = 1e-6;

    [Theory]
    [InlineData(GeneratorLoss.Minimax, false)]
    [InlineData(GeneratorLoss.NonSaturating, false)]
    [InlineData(GeneratorLoss.Minimax, true)]
    [InlineData(GeneratorLoss.NonSaturating, true)]
    public void WithNoUnrollingTheGeneratorGradientIsThePlainGanGradient(GeneratorLoss loss, bool convolutional)
    {
        using var tiny = new TinyGan(unroll: 0, secondGradient: true, loss: loss, convolutional: convolutional);

        var unrolled = TinyGan.Flatten(tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise).Gradients);

        var weights = tiny.Discriminator.Parameters;
        var fake = tiny.Generator.call(tiny.Noise);
        var plainLoss = tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, weights), tiny.Discriminator.Logits(fake, weights));
        var plain = TinyGan.Flatten(torch.autograd.grad([plainLoss], tiny.Generator.parameters().Cast<Tensor>().ToArray()));
        unrolled.Length.ShouldBe(plain.Length);
        for (int i = 0; i < plain.Length; i++)
        {
            unrolled[i].ShouldBe(plain[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(1, true, false)]
    [InlineData(3, true, false)]
    [InlineData(1, false, false)]
    [InlineData(3, false, false)]
    [InlineData(1, true, true)]
    [InlineData(3, true, true)]
    [InlineData(3, false, true)]
    public void UnrolledGradientMatchesCentralFiniteDifferences(int unroll, bool secondGradient, bool convolutional)
    {
        using var tiny = new TinyGan(unroll, secondGradient, convolutional: convolutional);

        var analytic = TinyGan.Flatten(tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise).Gradients);

        // With the second gradient off, θ_D^K is held at its value for the unperturbed generator: the first term of Eq. 12.
        var heldFixed = secondGradient ? null : UnrollWithTorchAdam(tiny, GenerateDetached(tiny), unroll);
        var numeric = FiniteDifferences(tiny, () => SurrogateLoss(tiny, unroll, heldFixed));
        AssertClose(analytic, numeric);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void TheSecondTermOfEquation12IsNotNegligibleHere(int unroll, bool convolutional)
    {
        // Guards the finite-difference test above: if both terms agreed it could not tell them apart.
        using var full = new TinyGan(unroll, secondGradient: true, convolutional: convolutional);
        using var firstTerm = new TinyGan(unroll, secondGradient: false, convolutional: convolutional);

        var withSecond = TinyGan.Flatten(full.Gan.GeneratorGradients(full.Real, full.Noise).Gradients);
        var withoutSecond = TinyGan.Flatten(firstTerm.Gan.GeneratorGradients(firstTerm.Real, firstTerm.Noise).Gradients);

        double difference = withSecond.Zip(withoutSecond, (a, b) => Math.Abs(a - b)).Max();
        difference.ShouldBeGreaterThan(1e-3 * withSecond.Max(Math.Abs));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AJointStepTakesTheDiscriminatorsOwnGradientFromTheGeneratorsComputation(int unroll)
    {
        // TrainingStep applies this gradient in place of evaluating D on the minibatch again (Eq. 11).
        using var tiny = new TinyGan(unroll, secondGradient: true);

        var joint = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise, withDiscriminatorGradient: true).Discriminator;
        var plain = tiny.Gan.DiscriminatorGradients(tiny.Real, GenerateDetached(tiny));

        joint.ShouldNotBeNull();
        TinyGan.Flatten(joint.Gradients).ShouldBe(TinyGan.Flatten(plain.Gradients));
        joint.Loss.item<double>().ShouldBe(plain.Loss.item<double>());
    }

    [Fact]
    public void UnrollingContinuesFromTheDiscriminatorOptimizersMomentsAndStepCount()
    {
        using var tiny = new TinyGan(unroll: 2, secondGradient: true, warmupSteps: 4);
        var fake = GenerateDetached(tiny);

        var unrolled = TinyGan.Flatten(tiny.Gan.Unroll(tiny.Real, fake, resample: null, out _));

        AssertClose(unrolled, TinyGan.Flatten(UnrollWithTorchAdam(tiny, fake, unroll: 2)), absolute: 1e-12, relative: 1e-9);
        tiny.Gan.DiscriminatorState.Step.ShouldBe(4, "unrolling must not advance the live optimizer");
    }

    private static Tensor GenerateDetached(TinyGan tiny)
    {
        using var noGrad = no_grad();
        return tiny.Generator.call(tiny.Noise);
    }

    /// <summary>f_K at the generator's current weights, with θ_D^K from K steps of torch.optim.Adam unless held fixed.</summary>
    private static double SurrogateLoss(TinyGan tiny, int unroll, IReadOnlyList<Tensor>? heldFixed)
    {
        var fake = GenerateDetached(tiny);
        var weights = heldFixed ?? UnrollWithTorchAdam(tiny, fake, unroll);
        using var noGrad = no_grad();
        return tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, weights), tiny.Discriminator.Logits(fake, weights)).item<double>();
    }

    private static Tensor[] UnrollWithTorchAdam(TinyGan tiny, Tensor fake, int unroll)
    {
        var (copies, adam) = tiny.ReferenceDiscriminator();
        for (int k = 0; k < unroll; k++)
        {
            adam.zero_grad();
            GanObjective.DiscriminatorLoss(tiny.Discriminator.Logits(tiny.Real, copies), tiny.Discriminator.Logits(fake, copies)).backward();
            adam.step();
        }
        return copies.Select(c => c.detach()).ToArray();
    }

    private static double[] FiniteDifferences(TinyGan tiny, Func<double> loss)
    {
        var result = new List<double>();
        foreach (var parameter in tiny.Generator.parameters())
        {
            using var flat = parameter.detach().view(-1);
            var values = flat.data<double>();
            for (long i = 0; i < values.Count; i++)
            {
                double original = values[i];
                values[i] = original + Epsilon;
                double plus = loss();
                values[i] = original - Epsilon;
                double minus = loss();
                values[i] = original;
                result.Add((plus - minus) / (2 * Epsilon));
            }
        }
        return result.ToArray();
    }

    private static void AssertClose(double[] actual, double[] expected, double absolute = 1e-7, double relative = 1e-5)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Math.Abs(actual[i] - expected[i]).ShouldBeLessThanOrEqualTo(absolute + relative * Math.Abs(expected[i]),
                $"component {i}: {actual[i]} vs {expected[i]}");
        }
    }
}
