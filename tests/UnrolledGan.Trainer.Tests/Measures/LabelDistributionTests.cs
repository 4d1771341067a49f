using UnrolledGan.Trainer.Measures;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class LabelDistributionTests
{
    [Fact]
    public void EveryClassOnceCoversAllModesWithZeroKl()
    {
        var labels = Enumerable.Range(0, 1000).ToArray();

        var score = LabelDistribution.Score(labels, 1000);

        score.ModesCovered.ShouldBe(1000);
        score.ReverseKl.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void OneClassOnlyCoversOneModeWithKlLogClasses()
    {
        var labels = Enumerable.Repeat(437, 25_600).ToArray();

        var score = LabelDistribution.Score(labels, 1000);

        score.ModesCovered.ShouldBe(1);
        score.ReverseKl.ShouldBe(Math.Log(1000), 1e-12);
    }

    [Fact]
    public void HalfAndHalfOverTwoClassesHasKlLogFiveHundred()
    {
        // p = ½ on two classes: KL = 2 · ½ · ln(½ · 1000) = ln 500.
        var labels = Enumerable.Repeat(7, 50).Concat(Enumerable.Repeat(300, 50)).ToArray();

        var score = LabelDistribution.Score(labels, 1000);

        score.ModesCovered.ShouldBe(2);
        score.ReverseKl.ShouldBe(Math.Log(500), 1e-12);
    }

    [Fact]
    public void UnevenCountsGiveTheHandComputedKl()
    {
        // p = (¾, ¼, 0, 0) against uniform over 4: ¾ ln 3 + ¼ ln 1.
        int[] labels = [0, 0, 1, 0];

        var score = LabelDistribution.Score(labels, 4);

        score.ModesCovered.ShouldBe(2);
        score.ReverseKl.ShouldBe(0.75 * Math.Log(3), 1e-12);
    }

    [Fact]
    public void ALabelOutsideTheClassesIsRejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => LabelDistribution.Score([0, 1000], 1000));
        Should.Throw<ArgumentOutOfRangeException>(() => LabelDistribution.Score([-1], 1000));
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(3, 0, 7, 307)]
    [InlineData(0, 4, 2, 42)]
    [InlineData(9, 9, 9, 999)]
    public void StackedLabelReadsTheChannelsAsThreeDigits(int r, int g, int b, int expected) =>
        LabelDistribution.StackedLabel(r, g, b).ShouldBe(expected);

    [Fact]
    public void StackedLabelRejectsANonDigit() =>
        Should.Throw<ArgumentOutOfRangeException>(() => LabelDistribution.StackedLabel(1, 10, 2));
}
