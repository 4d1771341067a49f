using UnrolledGan.Grains.Results;

namespace UnrolledGan.Grains.Tests;

/// <summary>The tests of a column against K = 0, each against a count or an integral done by hand.</summary>
public sealed class StatisticsTests
{
    [Fact]
    public void TwoConstantSeedsAgainstTwoGiveAPermutationPOfOneThirdNotZero()
    {
        // Fig. 3's quick table had 3.00 ± 0 against 1.00 ± 0 with two seeds each. Pooled 1, 1, 3, 3: of the
        // C(4, 2) = 6 splits, only {3, 3} | {1, 1} and its mirror differ by 2; the other four differ by 0.
        var test = Statistics.Compare([3, 3], [1, 1])!;

        test.Kind.ShouldBe(SignificanceTestKind.Permutation);
        test.Difference.ShouldBe(2);
        test.PValue!.Value.ShouldBe(2.0 / 6, 1e-12);
        test.T.ShouldBeNull();
    }

    [Fact]
    public void ThePermutationTestCountsEverySplitAtLeastAsExtremeAsTheObservedOne()
    {
        // Pooled 1, 2, 4, 8, 9, 10 (sum 34): a split's difference is (2S − 34) / 3 for the first group's sum S.
        // The observed S = 27 gives 20/3; |2S − 34| ≥ 20 needs S ≥ 27 or S ≤ 7, which only {8, 9, 10} and
        // {1, 2, 4} reach: 2 of C(6, 3) = 20.
        Statistics.Permutation([8, 9, 10], [1, 2, 4])!.PValue!.Value.ShouldBe(0.1, 1e-12);
        // Unequal groups, 5 against 1, 2, 3: differences 3, −7/3, −1 and 1/3 for the 4 choices of the single value.
        Statistics.Permutation([5], [1, 2, 3])!.PValue!.Value.ShouldBe(0.25, 1e-12);
        // Identical columns: every split differs by 0, as much as the observed one.
        Statistics.Permutation([4, 4], [4, 4])!.PValue!.Value.ShouldBe(1);
    }

    [Fact]
    public void SplitsThatDifferOnlyByRoundingTieWithTheObservedOne()
    {
        // The mirror split {0.7, 0.4} | {0.1, 0.2} differs by +0.4 exactly as the observed one differs by −0.4, but its
        // sums, taken in another order, come out 1 ulp smaller; compared exactly, p would be 1/6.
        var test = Statistics.Permutation([0.1, 0.2], [0.7, 0.4])!;

        test.PValue!.Value.ShouldBe(2.0 / 6, 1e-12);
    }

    [Fact]
    public void WelchTestMatchesAHandComputation()
    {
        // a = 8, 9, 10 (mean 9, s² = 1); b = 1, 2, 4 (mean 7/3, s² = 7/3).
        // t = (9 − 7/3) / √(1/3 + 7/9) = 6.3246; df = (10/9)² / ((1/3)²/2 + (7/9)²/2) = 3.4483.
        // Two-sided p = 2 ∫_t^∞ of the t density at 3.4483 degrees of freedom = 0.0052015 (numerical integration).
        var test = Statistics.Welch([8, 9, 10], [1, 2, 4])!;

        test.Kind.ShouldBe(SignificanceTestKind.Welch);
        test.T!.Value.ShouldBe(6.3246, 1e-4);
        test.DegreesOfFreedom!.Value.ShouldBe(3.4483, 1e-4);
        test.PValue!.Value.ShouldBe(0.0052015, 1e-6);
    }

    [Fact]
    public void WelchWithBothVariancesZeroIsUndefinedNotCertain()
    {
        var test = Statistics.Welch([8, 8, 8], [0, 0, 0])!;

        test.Difference.ShouldBe(8);
        (test.T, test.DegreesOfFreedom, test.PValue).ShouldBe((null, null, null));
    }

    [Fact]
    public void FiveSeedsAColumnArePermutedAndSixGoToWelch()
    {
        Statistics.Compare([1, 2, 3, 4, 5], [2, 3, 4, 5, 6])!.Kind.ShouldBe(SignificanceTestKind.Permutation);
        Statistics.Compare([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7])!.Kind.ShouldBe(SignificanceTestKind.Welch);
        Statistics.Compare([2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1])!.PValue.ShouldBeNull();
        // Five against five: C(10, 5) = 252 splits, and only the observed one and its mirror are as extreme here.
        Statistics.Compare([10, 11, 12, 13, 14], [1, 2, 3, 4, 5])!.PValue!.Value.ShouldBe(2.0 / 252, 1e-12);
    }

    [Fact]
    public void AColumnWithoutValuesHasNoTest()
    {
        Statistics.Compare([], [1, 2]).ShouldBeNull();
        Statistics.Welch([1], [1, 2]).ShouldBeNull();
    }
}
