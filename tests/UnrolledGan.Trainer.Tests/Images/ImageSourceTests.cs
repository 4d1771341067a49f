using UnrolledGan.Trainer.Data;
using UnrolledGan.Trainer.Images;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Images;

public sealed class ImageSourceTests
{
    [Fact]
    public void StackedMnistPutsThreeIndependentlyDrawnDigitsInTheColourChannels()
    {
        // Four 2×2 "digits", each a constant grey, so a channel tells which digit it holds.
        byte[] greys = [0, 85, 170, 255];
        var set = new ImageSet(4, 1, 2, 2, [.. greys.SelectMany(g => Enumerable.Repeat(g, 4))], [0, 1, 2, 3]);
        using var source = new StackedMnistSource(set, CPU);
        using var random = new Generator(11);

        using var images = source.Sample(400, random);

        images.shape.ShouldBe([400L, 3, 2, 2]);
        var pixels = images.data<float>().ToArray();
        var digits = new int[400, 3];
        for (int n = 0; n < 400; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                float value = pixels[(n * 3 + c) * 4];
                digits[n, c] = Array.FindIndex(greys, g => Math.Abs(g / 127.5 - 1 - value) < 1e-6);
                digits[n, c].ShouldBeGreaterThanOrEqualTo(0, "every channel is one of the digits, scaled to [−1, 1]");
            }
        }
        // Independent channels: all 64 combinations of 4³ appear among 400 draws, and channels mostly differ.
        Enumerable.Range(0, 400).Select(n => digits[n, 0] * 16 + digits[n, 1] * 4 + digits[n, 2]).Distinct().Count().ShouldBe(64);
    }

    [Fact]
    public void ColoredMnistIsAppendixF1()
    {
        // One digit whose pixels are 0, ½ and 1 (and one more 1); without pixel noise each image is exactly I·C + (I − 1).
        var set = new ImageSet(1, 1, 2, 2, [0, 128, 255, 255], [7]);
        var options = new ImageOptions { PixelNoise = 0 };
        using var source = new ColoredMnistSource(set, options, CPU);
        using var random = new Generator(5);

        using var images = source.Sample(4000, random);

        var pixels = images.data<float>().ToArray();
        var colors = new List<float[]>();
        for (int n = 0; n < 4000; n++)
        {
            var color = new float[3];
            for (int c = 0; c < 3; c++)
            {
                int at = (n * 3 + c) * 4;
                pixels[at].ShouldBe(-1f, "background: I = 0 gives −1");
                color[c] = pixels[at + 2];
                if (Math.Abs(color[c]) < 1)
                {
                    // I = 1 shows C itself unless it was clipped; then I = ½ must be ½·C − ½.
                    float half = 128 / 255f;
                    pixels[at + 1].ShouldBe(half * color[c] + half - 1, 1e-5f);
                }
            }
            colors.Add(color);
        }
        // C ~ N(0, 0.5²) per channel; clipping to [−1, 1] barely matters at 2σ.
        foreach (int c in new[] { 0, 1, 2 })
        {
            var channel = colors.Select(x => (double)x[c]).ToArray();
            channel.Average().ShouldBe(0, 0.03);
            Math.Sqrt(channel.Select(v => v * v).Average()).ShouldBe(0.5, 0.03);
        }
    }

    [Fact]
    public void ColoredMnistAddsPixelNoiseAndClips()
    {
        var set = new ImageSet(1, 1, 2, 2, [0, 0, 0, 0], [0]);
        using var source = new ColoredMnistSource(set, new ImageOptions { PixelNoise = 0.2 }, CPU);
        using var random = new Generator(6);

        using var images = source.Sample(2000, random);

        // Background −1 plus N(0, 0.2²) noise, clipped at −1: half the pixels sit at −1, the rest above it.
        var pixels = images.data<float>().ToArray();
        pixels.Min().ShouldBe(-1f);
        ((double)pixels.Count(p => p == -1f)).ShouldBe(pixels.Length / 2.0, pixels.Length / 20.0);
        pixels.Max().ShouldBeGreaterThan(-0.5f);
    }
}
