using System.Text.RegularExpressions;
using UnrolledGan.Grains.Results;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>
/// The rules a printed table follows, each on a table built by hand from job records: which columns are bold, what
/// the header says the p row is, how an undefined test and a seed without a value show, and LaTeX that compiles.
/// </summary>
public sealed partial class ResultTableRulesTests
{
    [Fact]
    public void EveryColumnThatTiesForBestIsBold()
    {
        var (table, markdown) = Render(Experiments.MixtureOfGaussians, [0, 5, 10], ["modesCovered"],
            (0, [1, 1]), (5, [8, 8]), (10, [8, 8]));

        table.Rows.Single().BestColumns.ShouldBe([1, 2]);
        markdown.ShouldContain("| 1 | Modes covered ↑ | 1.00 ± 0 | **8.00 ± 0** | **8.00 ± 0** |");
    }

    [Fact]
    public void ARatioToTheDatasBestIsTheColumnClosestToOneFromEitherSide()
    {
        // Highest would pick K = 10 (1.20) and lowest K = 0 (0.90); closest to 1 is K = 5 (1.05).
        var (table, markdown) = Render(Experiments.Cifar10, [0, 5, 10], ["distanceMedianRatio"],
            (0, [0.9, 0.9]), (5, [1.05, 1.05]), (10, [1.2, 1.2]));
        table.Rows.Single().BestColumns.ShouldBe([1]);
        markdown.ShouldContain("| 1 | Pairwise distance median / data's → 1 | 0.9 ± 0 | **1.05 ± 0** | 1.20 ± 0 |");

        // Below the target: 0.97 is 0.03 short, nearer than 1.05's 0.05 above.
        var (below, _) = Render(Experiments.Cifar10, [0, 5], ["distanceMedianRatio"], (0, [0.97]), (5, [1.05]));
        below.Rows.Single().BestColumns.ShouldBe([0]);
    }

    [Fact]
    public void ARawMedianHasNoBestColumn()
    {
        var (table, markdown) = Render(Experiments.Cifar10, [0, 5], ["distanceMedian"], (0, [3.0]), (5, [9.0]));

        table.Rows.Single().BestColumns.ShouldBeEmpty();
        markdown.ShouldNotContain("**");
        markdown.ShouldContain("| 1 | Pairwise distance median | 3.00 ± — | 9.00 ± — |");
    }

    [Fact]
    public void TwoConstantSeedsAColumnPrintTheirExactPermutationPAndTheHeaderNamesThatTest()
    {
        var (_, markdown) = Render(Experiments.RnnMnist, [0, 10], ["modesCovered"], (0, [1, 1]), (10, [3, 3]));

        markdown.ShouldContain("| | p vs K = 0 |  | 0.333 |");
        markdown.ShouldContain("p is two-sided, against K = 0, by the exact permutation test of the difference in means");
        markdown.ShouldNotContain("Welch");
        markdown.ShouldNotContain("< 0.001");
    }

    [Fact]
    public void AnUndefinedWelchTestShowsADashWithAFootnote()
    {
        int[] six = [0, 1, 2, 3, 4, 5];
        var (table, markdown) = Render(Experiments.MixtureOfGaussians, [0, 10], ["modesCovered"],
            (0, six.Select(_ => 1.0).ToArray()), (10, six.Select(_ => 8.0).ToArray()));

        table.Rows.Single().Cells[1].VersusNoUnroll!.PValue.ShouldBeNull();
        markdown.ShouldContain("| | p vs K = 0 |  | —† |");
        markdown.ShouldContain("† Welch's t-test is undefined there: both columns have zero variance");
        markdown.ShouldContain("by Welch's t-test (more than 5 seeds)");
        ResultTableFormats.Csv(table).ShouldContain("modesCovered,10,6,6,8,0,0,0,welch,7,,,,true");
    }

    [Fact]
    public void WithoutAKZeroColumnTheHeaderNamesNoTestAndThereIsNoPRow()
    {
        var (_, markdown) = Render(Experiments.MixtureOfGaussians, [5, 10], ["modesCovered"], (5, [1, 2]), (10, [8, 7]));

        markdown.ShouldContain("no p-values, since the sweep has no K = 0 column to test against.");
        markdown.ShouldNotContain("Welch");
        markdown.ShouldNotContain("p vs K = 0");
    }

    [Fact]
    public void ASeedWithoutAValueIsCountedAndShownAsNOfSeeds()
    {
        // Three seeds per column: at K = 0 two jobs had no value (a null metric), at K = 10 one job failed.
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 10], Sizes = [1.0], Seeds = [0, 1, 2], Metrics = ["reverseKl"] };
        JobRecord[] jobs =
        [
            Job(spec, 0, 0, 2.0), Job(spec, 0, 1, null), Job(spec, 0, 2, null),
            Job(spec, 10, 0, 0.1), Job(spec, 10, 1, 0.3), Job(spec, 10, 2, null) with { Status = JobStatus.Failed, Metrics = null },
        ];

        var table = SweepAggregator.Aggregate(spec, jobs);
        string markdown = ResultTableFormats.Markdown(table);

        markdown.ShouldContain("| 2.00 ± — (n = 1 of 3) |");
        markdown.ShouldContain("**0.2 ± 0.1 (n = 2 of 3, 1 failed)**");
        ResultTableFormats.Latex(table).ShouldContain("{\\scriptsize (n = 1 of 3)}");
        ResultTableFormats.Csv(table).ShouldContain("reverseKl,0,3,1,2,,0,");
    }

    [Fact]
    public void TheRnnTablesKlIsNamedForWhatItIsKlToUniformOverDigitClasses()
    {
        var (_, markdown) = Render(Experiments.RnnMnist, [0, 10], ["reverseKl"], (0, [2.2]), (10, [1.2]));

        markdown.ShouldContain("| 1 | KL(model ‖ uniform) over digit classes ↓ |");
    }

    [Fact]
    public void LatexSetsEveryDoubleBarInMathModeAndEscapesText()
    {
        var (table, _) = Render(Experiments.RnnMnist, [0, 10], ["reverseKl", "distanceMedianRatio"], (0, [2.2]), (10, [1.2]));

        string latex = ResultTableFormats.Latex(table);

        latex.ShouldContain("KL(model $\\|$ uniform) over digit classes $\\downarrow$");
        latex.ShouldContain("Pairwise distance median / data's $\\to 1$");
        // Outside $…$ no \| may remain: text mode has no such command.
        string text = MathMode().Replace(latex, "");
        text.ShouldNotContain("\\|");
        ResultTableFormats.LatexText("a|b_c & 50% #1 ‖x‖").ShouldBe("a\\textbar{}b\\_c \\& 50\\% \\#1 $\\|$x$\\|$");
    }

    [GeneratedRegex(@"\$[^$]*\$")]
    private static partial Regex MathMode();

    /// <summary>One size, the given metrics each taking the same values per K, one seed per value.</summary>
    private static (ResultTable Table, string Markdown) Render(string experiment, int[] unrolls, string[] metrics,
        params (int Unroll, double[] Values)[] columns)
    {
        int seeds = columns.Max(c => c.Values.Length);
        var spec = SweepPlannerTests.Spec() with
        {
            Experiment = experiment, Unrolls = unrolls, Sizes = [1.0], Seeds = [.. Enumerable.Range(0, seeds)], Metrics = metrics,
        };
        var jobs = columns.SelectMany(c => c.Values.Select((value, seed) => Job(spec, c.Unroll, seed, value, metrics))).ToArray();
        var table = SweepAggregator.Aggregate(spec, jobs);
        return (table, ResultTableFormats.Markdown(table));
    }

    private static JobRecord Job(SweepSpec spec, int unroll, int seed, double? value, params string[] metrics) => new()
    {
        Spec = new JobSpec($"k{unroll}-s{seed}", spec.Name, unroll, 1.0, seed, "{}"),
        Status = JobStatus.Succeeded,
        Metrics = (metrics.Length == 0 ? spec.Metrics : metrics).ToDictionary(m => m, _ => value),
    };
}
