using TorchSharp;
using UnrolledGan.Trainer.Core;
using UnrolledGan.Trainer.Mixture;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>The mixture discriminator's hand-written backward pass against autograd's, to first and second order.</summary>
public sealed class MixtureDiscriminatorTests
{
    [Theory]
    [InlineData(Activation.Relu, 1, 0.25)]
    [InlineData(Activation.Tanh, 2, 1.0)]
    public void TheWrittenOutGradientIsAutogradsToFirstAndSecondOrder(Activation activation, int layers, double inputScale)
    {
        using var random = new torch.Generator(3);
        using var discriminator = new MixtureDiscriminator(hiddenUnits: 7, layers, activation, inputScale, initGain: 1.0, random,
            CPU, ScalarType.Float64);
        var weights = discriminator.Parameters.Select(p => (randn(p.shape, dtype: ScalarType.Float64, generator: random) * 0.7)
            .requires_grad_()).ToArray();
        var real = randn([5, 2], dtype: ScalarType.Float64, generator: random);
        var fake = randn([6, 2], dtype: ScalarType.Float64, generator: random).requires_grad_();
        var probe = weights.Select(w => randn(w.shape, dtype: ScalarType.Float64, generator: random)).ToArray();

        var written = discriminator.Evaluate(real, fake, weights);
        var generic = new AutogradDiscriminatorPass(discriminator.Logits(real, weights), discriminator.Logits(fake, weights), weights);
        var writtenGradients = written.LossGradients(createGraph: true);
        var genericGradients = generic.LossGradients(createGraph: true);

        AssertClose(TinyGan.Flatten(writtenGradients), TinyGan.Flatten(genericGradients));
        written.Loss.item<double>().ShouldBe(generic.Loss.item<double>(), 1e-14);
        // The second term of Eq. 12 differentiates these gradients again, with respect to the fake rows and the weights.
        AssertClose(SecondOrder(writtenGradients, probe, fake, weights), SecondOrder(genericGradients, probe, fake, weights));
    }

    [Fact]
    public void WithoutAGraphTheGradientIsTheSameAndNotDifferentiable()
    {
        using var random = new torch.Generator(5);
        using var discriminator = new MixtureDiscriminator(hiddenUnits: 4, layers: 1, Activation.Relu, 0.25, 1.0, random, CPU, ScalarType.Float64);
        var real = randn([3, 2], dtype: ScalarType.Float64, generator: random);
        var fake = randn([3, 2], dtype: ScalarType.Float64, generator: random).requires_grad_();

        var withGraph = discriminator.Evaluate(real, fake, discriminator.Parameters).LossGradients(createGraph: true);
        var withoutGraph = discriminator.Evaluate(real, fake, discriminator.Parameters).LossGradients(createGraph: false);

        TinyGan.Flatten(withoutGraph).ShouldBe(TinyGan.Flatten(withGraph));
        withoutGraph.ShouldAllBe(g => !g.requires_grad);
    }

    private static double[] SecondOrder(IReadOnlyList<Tensor> gradients, IReadOnlyList<Tensor> probe, Tensor fake, IReadOnlyList<Tensor> weights)
    {
        var projection = gradients.Zip(probe, (g, p) => (g * p).sum()).Aggregate((a, b) => a + b);
        return TinyGan.Flatten(torch.autograd.grad([projection], [fake, .. weights], retain_graph: true));
    }

    private static void AssertClose(double[] actual, double[] expected)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Math.Abs(actual[i] - expected[i]).ShouldBeLessThanOrEqualTo(1e-12 + 1e-10 * Math.Abs(expected[i]), $"component {i}");
        }
    }
}
