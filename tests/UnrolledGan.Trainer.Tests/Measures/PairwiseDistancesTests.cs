using UnrolledGan.Trainer.Measures;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class PairwiseDistancesTests
{
    [Fact]
    public void TwoRowsAreAlwaysTheirOwnDistanceApart()
    {
        float[] rows = [0, 0, 3, 4];

        var distances = PairwiseDistances.Sample(rows, dimension: 2, pairs: 100, seed: 1);

        distances.Length.ShouldBe(100);
        distances.ShouldAllBe(d => Math.Abs(d - 5) < 1e-12);
    }

    [Fact]
    public void ThreePointsOnALineGiveEachPairAThirdOfTheTime()
    {
        // Points 0, 1 and 3: the pairs are 1, 2 and 3 apart, each unordered pair equally likely.
        float[] rows = [0, 1, 3];

        var distances = PairwiseDistances.Sample(rows, dimension: 1, pairs: 30_000, seed: 2);

        foreach (double expected in new[] { 1.0, 2.0, 3.0 })
        {
            double share = distances.Count(d => d == expected) / 30_000.0;
            share.ShouldBe(1 / 3.0, 0.015);
        }
        distances.Count(d => d is not (1 or 2 or 3)).ShouldBe(0);
    }

    [Fact]
    public void HighDimensionalRowsUseTheEuclideanNorm()
    {
        // Two 3×2×2 "images" differing by 0.5 in every one of 12 values: √(12 · 0.25) = √3.
        var rows = Enumerable.Repeat(0f, 12).Concat(Enumerable.Repeat(0.5f, 12)).ToArray();

        PairwiseDistances.Sample(rows, 12, 10, seed: 3).ShouldAllBe(d => Math.Abs(d - Math.Sqrt(3)) < 1e-9);
    }

    [Fact]
    public void TheSeedFixesThePairs()
    {
        var rows = Enumerable.Range(0, 50).Select(i => (float)(i * i)).ToArray();

        var first = PairwiseDistances.Sample(rows, 1, 200, seed: 9);
        var again = PairwiseDistances.Sample(rows, 1, 200, seed: 9);
        var other = PairwiseDistances.Sample(rows, 1, 200, seed: 10);

        again.ShouldBe(first);
        other.ShouldNotBe(first);
        first.ShouldAllBe(d => d > 0);
    }

    [Fact]
    public void RowsMustBeWholeAndAtLeastTwo()
    {
        Should.Throw<ArgumentException>(() => PairwiseDistances.Sample([1, 2, 3], 2, 1, 0));
        Should.Throw<ArgumentException>(() => PairwiseDistances.Sample([1, 2], 2, 1, 0));
    }

    [Fact]
    public void MedianOfOddAndEvenCounts()
    {
        PairwiseDistances.Median([5, 1, 3]).ShouldBe(3);
        PairwiseDistances.Median([4, 1, 3, 10]).ShouldBe(3.5);
        double[] values = [2, 1];
        PairwiseDistances.Median(values);
        values.ShouldBe([2, 1]);
    }
}
