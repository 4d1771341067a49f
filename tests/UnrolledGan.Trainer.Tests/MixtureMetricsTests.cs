using UnrolledGan.Trainer.Mixture;

namespace UnrolledGan.Trainer.Tests;

public sealed class MixtureMetricsTests
{
    private static readonly MixtureOptions Options = new() { MinSamplesPerMode = 25 };

    [Fact]
    public void PointsOnAllEightCentresCoverEveryModeWithZeroKl()
    {
        var points = PointsAt(Enumerable.Range(0, 8).SelectMany(mode => Enumerable.Repeat(mode, 100)));

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(8);
        score.HighQualityFraction.ShouldBe(1.0);
        score.ReverseKl!.Value.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void PointsOnOneCentreCoverOneModeWithKlLogEight()
    {
        var points = PointsAt(Enumerable.Repeat(3, 400));

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(1);
        score.HighQualityFraction.ShouldBe(1.0);
        score.ReverseKl!.Value.ShouldBe(Math.Log(8), 1e-12);
        score.HighQualityPerMode[3].ShouldBe(400);
    }

    [Fact]
    public void PointsFarFromEveryModeAreNotHighQuality()
    {
        // The origin and points halfway between neighbouring modes are > 3σ = 0.06 from every centre.
        var centers = MixtureMetrics.Centers(Options);
        var between = Enumerable.Range(0, 8).SelectMany(i =>
            new[] { (float)((centers[i].X + centers[(i + 1) % 8].X) / 2), (float)((centers[i].Y + centers[(i + 1) % 8].Y) / 2) });
        var points = between.Concat([0f, 0f, 5f, 5f]).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(0);
        score.HighQualityFraction.ShouldBe(0.0);
        score.ReverseKl.ShouldBeNull();
    }

    [Fact]
    public void AModeNeedsTheMinimumNumberOfHighQualitySamples()
    {
        var modes = Enumerable.Repeat(0, 25).Concat(Enumerable.Repeat(1, 24)).Concat(Enumerable.Repeat(2, 200));
        var points = PointsAt(modes).Concat([0f, 0f]).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(2);
        score.HighQualityFraction.ShouldBe(249.0 / 250.0, 1e-12);
        double total = 249;
        double expectedKl = new[] { 25, 24, 200 }.Sum(n => n / total * Math.Log(n / total * 8));
        score.ReverseKl!.Value.ShouldBe(expectedKl, 1e-12);
    }

    [Fact]
    public void PointsJustInsideAndOutsideThreeSigmaAreSplitAtTheBoundary()
    {
        var center = MixtureMetrics.Centers(Options)[0];
        float inside = (float)(center.X + 0.059), outside = (float)(center.X + 0.061);

        MixtureMetrics.Score([inside, (float)center.Y], Options).HighQualityFraction.ShouldBe(1.0);
        MixtureMetrics.Score([outside, (float)center.Y], Options).HighQualityFraction.ShouldBe(0.0);
    }

    /// <summary>Points spread on a small ring (0.5σ) around the given modes' centres.</summary>
    private static float[] PointsAt(IEnumerable<int> modes)
    {
        var centers = MixtureMetrics.Centers(Options);
        return modes.SelectMany((mode, i) =>
        {
            double angle = i * 0.7;
            return new[] { (float)(centers[mode].X + 0.01 * Math.Cos(angle)), (float)(centers[mode].Y + 0.01 * Math.Sin(angle)) };
        }).ToArray();
    }
}
