using UnrolledGan.Trainer.Measures;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class ForegroundColorTests
{
    private const int Side = 28;

    [Fact]
    public void ColorizeIsTheAppendixFormulaChannelByChannel()
    {
        // I = 0 gives −1, I = 1 gives C, I = ½ gives ½C − ½; the noise adds noiseStd · draw.
        float[] digit = [0f, 1f, 0.5f, 1f];
        var draws = new Queue<float>([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1]);

        var image = ColoredMnist.Colorize(digit, 0.4f, -0.2f, 0.9f, draws.Dequeue, noiseStd: 0.2f);

        draws.Count.ShouldBe(0);
        image.Length.ShouldBe(12);
        float[] expected =
        [
            -1f, 0.4f, 0.5f * 0.4f - 0.5f, 0.4f,
            -1f, -0.2f, 0.5f * -0.2f - 0.5f + 0.2f, -0.2f,
            -1f, 0.9f, 0.5f * 0.9f - 0.5f, 0.9f - 0.2f,
        ];
        for (int i = 0; i < expected.Length; i++)
        {
            image[i].ShouldBe(expected[i], 1e-6f);
        }
    }

    [Fact]
    public void ColorizeClipsToPlusMinusOne()
    {
        float[] digit = [1f, 0f];

        var image = ColoredMnist.Colorize(digit, 0.9f, 0.9f, 0.9f, () => 1f, noiseStd: 0.5f);
        var dark = ColoredMnist.Colorize(digit, 0.9f, 0.9f, 0.9f, () => -1f, noiseStd: 0.5f);

        image.ShouldBe([1f, -0.5f, 1f, -0.5f, 1f, -0.5f], tolerance: 1e-6f);
        dark.ShouldBe([0.4f, -1f, 0.4f, -1f, 0.4f, -1f], tolerance: 1e-6f);
    }

    [Theory]
    [InlineData(0.5f, -0.3f, 0.2f)]
    [InlineData(0f, 0f, 0f)]
    [InlineData(-0.4f, 0.6f, -0.2f)]
    [InlineData(0.8f, 0.75f, 0.7f)]
    [InlineData(-0.5f, -0.45f, -0.55f)]
    [InlineData(-0.9f, 0.3f, -0.8f)]
    public void KMeansRecoversTheColourOfANoisyRing(float r, float g, float b)
    {
        var gaussian = new Gaussian(seed: 11);
        var image = ColoredMnist.Colorize(Ring(), r, g, b, gaussian.NextFloat);

        var color = ForegroundColor.Of(image, Side, Side);

        color.R.ShouldBe(r, 0.05f);
        color.G.ShouldBe(g, 0.05f);
        color.B.ShouldBe(b, 0.05f);
    }

    [Fact]
    public void AForegroundLargerThanTheBackgroundIsStillTheForeground()
    {
        // A blob over ~64% of the picture: "the smaller cluster" would pick the background here.
        var digit = new float[Side * Side];
        for (int row = 2; row < 24; row++)
        {
            for (int column = 2; column < 24; column++)
            {
                digit[row * Side + column] = 1f;
            }
        }
        var image = ColoredMnist.Colorize(digit, 0.1f, 0.3f, -0.2f, new Gaussian(seed: 5).NextFloat);

        var color = ForegroundColor.Of(image, Side, Side);

        color.R.ShouldBe(0.1f, 0.05f);
        color.G.ShouldBe(0.3f, 0.05f);
        color.B.ShouldBe(-0.2f, 0.05f);
    }

    [Fact]
    public void ColoursOfNormallyDistributedDigitsAreRecoveredOnAverage()
    {
        // App. F.1's colours C ~ N(0, 0.5²) per channel: the mean absolute error over 200 digits stays small, even
        // though a few colours fall near the background or beyond the clip at ±1.
        var gaussian = new Gaussian(seed: 3);
        var ring = Ring();
        var errors = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            float r = 0.5f * gaussian.NextFloat(), g = 0.5f * gaussian.NextFloat(), b = 0.5f * gaussian.NextFloat();
            var color = ForegroundColor.Of(ColoredMnist.Colorize(ring, r, g, b, gaussian.NextFloat), Side, Side);
            float[] truth = [Math.Clamp(r, -1, 1), Math.Clamp(g, -1, 1), Math.Clamp(b, -1, 1)];
            errors.Add((Math.Abs(color.R - truth[0]) + Math.Abs(color.G - truth[1]) + Math.Abs(color.B - truth[2])) / 3);
        }

        errors.Average().ShouldBeLessThan(0.03);
    }

    [Theory]
    [InlineData(0.5f, -0.3f, 0.2f)]
    [InlineData(-0.4f, 0.6f, -0.2f)]
    [InlineData(-0.5f, -0.45f, -0.55f)]
    public void SoftEdgesShrinkTheColourTowardsTheBackgroundAlongItsRay(float r, float g, float b)
    {
        // Edge pixels of intensity I lie at I·(C + 1) − 1, between the background and C, and k-means puts most of
        // them in the foreground. The centroid then keeps C's direction from (−1, −1, −1) but not its full length.
        // Data and samples pass through the same rule, so the comparison of Table 2 is unaffected.
        var image = ColoredMnist.Colorize(Ring(softEdges: true), r, g, b, new Gaussian(seed: 12).NextFloat);

        var color = ForegroundColor.Of(image, Side, Side);

        double[] truth = [r + 1, g + 1, b + 1], found = [color.R + 1, color.G + 1, color.B + 1];
        double dot = truth.Zip(found, (t, f) => t * f).Sum();
        double lengthTruth = Math.Sqrt(truth.Sum(t => t * t)), lengthFound = Math.Sqrt(found.Sum(f => f * f));
        (dot / (lengthTruth * lengthFound)).ShouldBeGreaterThan(0.995);
        (lengthFound / lengthTruth).ShouldBeInRange(0.75, 0.98);
    }

    [Fact]
    public void OfEachReadsConsecutiveImages()
    {
        var gaussian = new Gaussian(seed: 8);
        var images = ColoredMnist.Colorize(Ring(), 0.5f, 0f, 0f, gaussian.NextFloat)
            .Concat(ColoredMnist.Colorize(Ring(), 0f, 0f, 0.5f, gaussian.NextFloat)).ToArray();

        var colors = ForegroundColor.OfEach(images, Side, Side);

        colors.Count.ShouldBe(2);
        colors[0][0].ShouldBe(0.5, 0.05);
        colors[1][2].ShouldBe(0.5, 0.05);
    }

    /// <summary>A "0": a ring of radius 8, 3 pixels thick; with soft edges, a half-intensity pixel band each side.</summary>
    private static float[] Ring(bool softEdges = false)
    {
        var digit = new float[Side * Side];
        for (int row = 0; row < Side; row++)
        {
            for (int column = 0; column < Side; column++)
            {
                double radius = Math.Sqrt((row - 13.5) * (row - 13.5) + (column - 13.5) * (column - 13.5));
                double offset = Math.Abs(radius - 8);
                digit[row * Side + column] = offset <= 1.5 ? 1f : softEdges && offset <= 2.5 ? 0.5f : 0f;
            }
        }
        return digit;
    }
}
