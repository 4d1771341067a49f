using UnrolledGan.Trainer.Mixture;

namespace UnrolledGan.Trainer.Tests;

public sealed class MixtureMetricsTests
{
    private static readonly MixtureOptions Options = new() { MinSamplesPerMode = 25 };

    [Fact]
    public void PointsUniformOverAllEightCentresCoverEveryModeWithZeroKl()
    {
        var points = PointsAt(Enumerable.Range(0, 8).SelectMany(mode => Enumerable.Repeat(mode, 100)));

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(8);
        score.HighQualityFraction.ShouldBe(1.0);
        score.ReverseKl.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void PointsOnOneCentreCoverOneModeWithKlLogEight()
    {
        var points = PointsAt(Enumerable.Repeat(3, 400));

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(1);
        score.HighQualityFraction.ShouldBe(1.0);
        score.ReverseKl.ShouldBe(Math.Log(8), 1e-12);
        score.HighQualityPerMode[3].ShouldBe(400);
    }

    [Fact]
    public void PointsFarFromEveryModeAreNotHighQualityYetStillHaveAReverseKl()
    {
        // The origin and points halfway between neighbouring modes are > 3σ = 0.06 from every centre.
        var centers = MixtureMetrics.Centers(Options);
        var between = Enumerable.Range(0, 8).SelectMany(i =>
            new[] { (float)((centers[i].X + centers[(i + 1) % 8].X) / 2), (float)((centers[i].Y + centers[(i + 1) % 8].Y) / 2) });
        var points = between.Concat([0f, 0f, 5f, 5f]).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(0);
        score.HighQualityFraction.ShouldBe(0.0);
        score.HighQualityPerMode.ShouldAllBe(n => n == 0);
        score.NearestPerMode.Sum().ShouldBe(10, "every point counts at its nearest mode");
        score.ReverseKl.ShouldBeInRange(0.0, Math.Log(8));
    }

    [Fact]
    public void NoPointNearAnyModeButSpreadOverAllEightHasZeroKlAndNoQuality()
    {
        // Halfway to the centre on each mode's ray: nearest to that mode, 1.0 (50σ) from it.
        var points = Enumerable.Range(0, 8).SelectMany(mode => Enumerable.Repeat(mode, 50))
            .SelectMany(mode => Scaled(MixtureMetrics.Centers(Options)[mode], 0.5)).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        (score.ModesCovered, score.HighQualityFraction).ShouldBe((0, 0.0));
        score.NearestPerMode.ShouldAllBe(n => n == 50);
        score.ReverseKl.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void ACollapsedRunAwayFromEveryModeScoresTheWorstKlRatherThanNone()
    {
        // One tight blob 0.3 (15σ) outside mode 2: the collapse a run with no high-quality samples shows.
        var blob = MixtureMetrics.Centers(Options)[2];
        var points = Enumerable.Range(0, 300).SelectMany(i => Scaled(blob, 1.15 + 1e-4 * (i % 7))).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        score.HighQualityFraction.ShouldBe(0.0);
        score.NearestPerMode[2].ShouldBe(300);
        score.ReverseKl.ShouldBe(Math.Log(8), 1e-12);
    }

    [Fact]
    public void NoPointsAreRejectedRatherThanScored() =>
        Should.Throw<ArgumentException>(() => MixtureMetrics.Score([], Options));

    [Fact]
    public void AModeNeedsTheMinimumNumberOfHighQualitySamples()
    {
        var modes = Enumerable.Repeat(0, 25).Concat(Enumerable.Repeat(1, 24)).Concat(Enumerable.Repeat(2, 200));
        var points = PointsAt(modes).Concat([0.5f, 0f]).ToArray();

        var score = MixtureMetrics.Score(points, Options);

        score.ModesCovered.ShouldBe(2);
        score.HighQualityFraction.ShouldBe(249.0 / 250.0, 1e-12);
        // The point at (0.5, 0) is not high quality, but it is nearest to mode 0 and counts there for the KL.
        double total = 250;
        double expectedKl = new[] { 26, 24, 200 }.Sum(n => n / total * Math.Log(n / total * 8));
        score.ReverseKl.ShouldBe(expectedKl, 1e-12);
    }

    [Fact]
    public void PointsJustInsideAndOutsideThreeSigmaAreSplitAtTheBoundary()
    {
        var center = MixtureMetrics.Centers(Options)[0];
        float inside = (float)(center.X + 0.059), outside = (float)(center.X + 0.061);

        MixtureMetrics.Score([inside, (float)center.Y], Options).HighQualityFraction.ShouldBe(1.0);
        MixtureMetrics.Score([outside, (float)center.Y], Options).HighQualityFraction.ShouldBe(0.0);
    }

    private static float[] Scaled((double X, double Y) center, double factor) => [(float)(center.X * factor), (float)(center.Y * factor)];

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
