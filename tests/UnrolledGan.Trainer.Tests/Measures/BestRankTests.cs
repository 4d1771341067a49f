namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class BestRankTests
{
    [Fact]
    public void EachTargetGoesToTheLowestErrorAndTiesShare()
    {
        // Target 0: K10 wins; 1: K0 wins; 2: K0 and K10 tie; 3: K5 wins.
        var errors = new Dictionary<string, IReadOnlyList<double>>
        {
            ["K0"] = [0.30, 0.01, 0.05, 0.20],
            ["K5"] = [0.20, 0.02, 0.07, 0.10],
            ["K10"] = [0.10, 0.03, 0.05, 0.40],
        };

        var percent = BestRank.PercentBest(errors);

        percent["K0"].ShouldBe(37.5, 1e-12);
        percent["K5"].ShouldBe(25.0, 1e-12);
        percent["K10"].ShouldBe(37.5, 1e-12);
        percent.Values.Sum().ShouldBe(100, 1e-9);
    }

    [Fact]
    public void ANaNErrorNeverWins()
    {
        var errors = new Dictionary<string, IReadOnlyList<double>>
        {
            ["diverged"] = [double.NaN, double.NaN],
            ["fine"] = [0.5, double.NaN],
        };

        var percent = BestRank.PercentBest(errors);

        // Target 0 goes to "fine"; target 1 is a tie between two failures and is shared.
        percent["fine"].ShouldBe(75, 1e-12);
        percent["diverged"].ShouldBe(25, 1e-12);
    }

    [Fact]
    public void UnequalLengthsAreRejectedNamingTheModel()
    {
        var errors = new Dictionary<string, IReadOnlyList<double>>
        {
            ["K0"] = [0.1, 0.2],
            ["K1"] = [0.1],
        };

        var error = Should.Throw<ArgumentException>(() => BestRank.PercentBest(errors));

        error.Message.ShouldContain("'K1'");
    }
}
