using SkiaSharp;
using UnrolledGan.Figures;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class DistanceHistogramTests : IDisposable
{
    private static readonly SKColor FirstModel = new(230, 120, 20);
    private static readonly SKColor LastModel = new(30, 110, 200);

    private readonly string _folder = Directory.CreateTempSubdirectory("distance-histogram-").FullName;

    [Fact]
    public void ThePictureDecodesAtItsSizeWithOneColourPerSeries()
    {
        var gaussian = new Gaussian(seed: 1);
        double[] Distances(double mean) => Enumerable.Range(0, 2000).Select(_ => Math.Abs(mean + gaussian.Next())).ToArray();
        string path = Path.Combine(_folder, "pairs.png");

        DistanceHistogram.Save(path, "Pairwise ℓ2 distances", [("data", Distances(8)), ("K = 0", Distances(5)), ("K = 10", Distances(7.5))]);

        using var bitmap = SKBitmap.Decode(path);
        bitmap.ShouldNotBeNull();
        bitmap.Width.ShouldBe(DistanceHistogram.Width);
        bitmap.Height.ShouldBe(DistanceHistogram.Height);
        Count(bitmap, FirstModel).ShouldBeGreaterThan(100);
        Count(bitmap, LastModel).ShouldBeGreaterThan(100);
        Directory.GetFiles(_folder).ShouldBe([path]);
    }

    [Fact]
    public void TheDataCurveIsBlack()
    {
        var gaussian = new Gaussian(seed: 2);
        var data = Enumerable.Range(0, 2000).Select(_ => 8 + gaussian.Next()).ToArray();
        var model = Enumerable.Range(0, 2000).Select(_ => 5 + gaussian.Next()).ToArray();
        string with = Path.Combine(_folder, "with.png"), without = Path.Combine(_folder, "without.png");

        DistanceHistogram.Save(with, "t", [("data", data), ("K = 0", model)]);
        DistanceHistogram.Save(without, "t", [("K = 0", model)]);

        using var withData = SKBitmap.Decode(with);
        using var withoutData = SKBitmap.Decode(without);
        // Axes and text are the same in both; a 2-pixel curve across the plot adds hundreds of black pixels.
        Count(withData, SKColors.Black).ShouldBeGreaterThan(Count(withoutData, SKColors.Black) + 200);
    }

    [Fact]
    public void DataAloneIsDrawnInBlackWithoutModelColours()
    {
        using var bitmap = DataOnly();

        Count(bitmap, FirstModel).ShouldBe(0);
        Count(bitmap, LastModel).ShouldBe(0);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SKBitmap DataOnly()
    {
        string path = Path.Combine(_folder, "data.png");
        DistanceHistogram.Save(path, "data only", [("Data", [1.0, 2.0, 2.5, 3.0, 3.2, 4.0])]);
        return SKBitmap.Decode(path);
    }

    private static int Count(SKBitmap bitmap, SKColor color)
    {
        int count = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                count += bitmap.GetPixel(x, y) == color ? 1 : 0;
            }
        }
        return count;
    }
}
