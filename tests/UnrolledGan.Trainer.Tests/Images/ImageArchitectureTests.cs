using UnrolledGan.Trainer.Images;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Images;

/// <summary>Each appendix's networks, counted layer by layer from its table, and the shapes they produce.</summary>
public sealed class ImageArchitectureTests : IDisposable
{
    private const int Noise = 256;
    private readonly Generator _random = new(1);

    // Parameter counts as the tables list the layers: a 3×3 convolution without bias (batch norm's β replaces it)
    // has in·out·9 weights, batch norm 2·out, a fully connected layer in·out + out.
    private static long Conv(long inputs, long outputs) => inputs * outputs * 9;
    private static long Norm(long outputs) => 2 * outputs;
    private static long Dense(long inputs, long outputs) => inputs * outputs + outputs;

    [Fact]
    public void AppendixCRecurrentGeneratorAndItsDiscriminator()
    {
        using var generator = new LstmGenerator(Noise, _random);
        using var discriminator = new ConvDiscriminator(1, 28, 28, ImageExperiments.RnnDiscriminatorWidths(1.0), _random, CPU);

        // z → 256 relu; LSTM(256) with 4 gates over a 1-wide zero input; each step → 28 pixels.
        long lstm = 4 * 256 * 1 + 4 * 256 * 256 + 2 * 4 * 256;
        Count(generator.parameters()).ShouldBe(Dense(Noise, 256) + lstm + Dense(256, 28));
        // Convolutions 16, 32, 32 of stride 2: 28 → 14 → 7 → 4, then 32·4·4 → 1.
        Count(discriminator.Parameters).ShouldBe(
            Conv(1, 16) + Norm(16) + Conv(16, 32) + Norm(32) + Conv(32, 32) + Norm(32) + Dense(32 * 4 * 4, 1));

        using var images = generator.call(randn(5, Noise));
        images.shape.ShouldBe([5L, 1, 28, 28]);
        images.abs().max().item<float>().ShouldBeLessThanOrEqualTo(1f, "tanh output");
        discriminator.Logits(images, discriminator.Parameters).shape.ShouldBe([5L]);
    }

    [Fact]
    public void TheLstmsForgetBiasStartsAtOne()
    {
        using var generator = new LstmGenerator(Noise, _random);
        var biases = generator.named_parameters().Where(p => p.name.Contains("bias_")).ToDictionary(p => p.name, p => p.parameter);
        using var total = biases.Single(b => b.Key.Contains("bias_ih")).Value + biases.Single(b => b.Key.Contains("bias_hh")).Value;
        // Gate order input, forget, cell, output.
        total[256..512].min().item<float>().ShouldBe(1f);
        total[256..512].max().item<float>().ShouldBe(1f);
        total[..256].abs().max().item<float>().ShouldBe(0f);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    public void AppendixEStackedMnistNetworks(double size)
    {
        using var generator = new ConvGenerator(Noise, ImageExperiments.StackedGeneratorWidths, 3, 28, 28, _random);
        var widths = ImageExperiments.StackedDiscriminatorWidths(size);
        using var discriminator = new ConvDiscriminator(3, 28, 28, widths, _random, CPU);

        // Fully connected 4·4·64, then 32, 16, 8 doubling the image, then a stride-1 convolution to 3 channels.
        Count(generator.parameters()).ShouldBe(Dense(Noise, 4 * 4 * 64) + Norm(4 * 4 * 64)
            + Conv(64, 32) + Norm(32) + Conv(32, 16) + Norm(16) + Conv(16, 8) + Norm(8) + Conv(8, 3) + 3);
        widths.ShouldBe([(int)(8 * size), (int)(16 * size), (int)(32 * size)]);
        Count(discriminator.Parameters).ShouldBe(Conv(3, widths[0]) + Norm(widths[0]) + Conv(widths[0], widths[1]) + Norm(widths[1])
            + Conv(widths[1], widths[2]) + Norm(widths[2]) + Dense(widths[2] * 4 * 4, 1));

        using var images = generator.call(randn(4, Noise));
        images.shape.ShouldBe([4L, 3, 28, 28], "32×32 centre-cropped to MNIST's 28×28");
        discriminator.Logits(images, discriminator.Parameters).shape.ShouldBe([4L]);
    }

    [Theory]
    [InlineData(1.0, 3, 32)]
    [InlineData(0.25, 3, 28)]
    [InlineData(1.0, 1, 28)]
    public void AppendixDAndFConvolutionalNetworks(double size, int channels, int side)
    {
        var generatorWidths = ImageExperiments.ConvGeneratorWidths(size);
        var discriminatorWidths = ImageExperiments.ConvDiscriminatorWidths(size);
        using var generator = new ConvGenerator(Noise, generatorWidths, channels, side, side, _random);
        using var discriminator = new ConvDiscriminator(channels, side, side, discriminatorWidths, _random, CPU);

        generatorWidths.ShouldBe([(int)(512 * size), (int)(256 * size), (int)(128 * size), (int)(64 * size)]);
        discriminatorWidths.ShouldBe([(int)(64 * size), (int)(128 * size), (int)(256 * size)]);
        long[] g = [.. generatorWidths.Select(w => (long)w)];
        Count(generator.parameters()).ShouldBe(Dense(Noise, 16 * g[0]) + Norm(16 * g[0])
            + Conv(g[0], g[1]) + Norm(g[1]) + Conv(g[1], g[2]) + Norm(g[2]) + Conv(g[2], g[3]) + Norm(g[3]) + Conv(g[3], channels) + channels);
        long[] d = [.. discriminatorWidths.Select(w => (long)w)];
        Count(discriminator.Parameters).ShouldBe(Conv(channels, d[0]) + Norm(d[0]) + Conv(d[0], d[1]) + Norm(d[1])
            + Conv(d[1], d[2]) + Norm(d[2]) + Dense(d[2] * 4 * 4, 1));

        using var images = generator.call(randn(2, Noise));
        images.shape.ShouldBe([2L, channels, side, side]);
        discriminator.Logits(images, discriminator.Parameters).shape.ShouldBe([2L]);
    }

    [Fact]
    public void TheDiscriminatorNormalizesWithTheMinibatchsOwnStatistics()
    {
        // Scaling a whole minibatch by 3 scales every first-layer output by 3 (the convolution has no bias); only
        // batch statistics divide it out again, so the logits stay the same up to batch norm's ε.
        using var discriminator = new ConvDiscriminator(1, 8, 8, [4, 4], _random, CPU, ScalarType.Float64);
        using var x = randn(16, 1, 8, 8, dtype: ScalarType.Float64);
        using var logits = discriminator.Logits(x, discriminator.Parameters);
        using var scaled = discriminator.Logits(x * 3.0, discriminator.Parameters);
        (logits - scaled).abs().max().item<double>().ShouldBeLessThan(1e-4);
        // One image alone is normalized differently than inside its minibatch.
        using var alone = discriminator.Logits(x[..2], discriminator.Parameters);
        (alone - logits[..2]).abs().max().item<double>().ShouldBeGreaterThan(1e-3);
    }

    private static long Count(IEnumerable<Tensor> parameters) => parameters.Sum(p => p.numel());

    public void Dispose() => _random.Dispose();
}
