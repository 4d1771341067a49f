using UnrolledGan.Grains.Results;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

public sealed class AggregationTests
{
    [Fact]
    public void MeanAndStandardErrorMatchAHandComputation()
    {
        // 2, 4, 9: mean 5; deviations −3, −1, 4; sample variance (9 + 1 + 16) / 2 = 13; SE = √(13 / 3).
        Statistics.Mean([2, 4, 9]).ShouldBe(5);
        Statistics.StandardError([2, 4, 9])!.Value.ShouldBe(Math.Sqrt(13.0 / 3), 1e-12);
        Statistics.StandardError([7]).ShouldBeNull();
    }

    [Fact]
    public void CellsAggregateSeedsCountFailuresAndMarkTheBestColumn()
    {
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 10], Sizes = [1.0], Seeds = [0, 1, 2], Metrics = ["modesCovered", "reverseKl"] };
        JobRecord Job(int unroll, int seed, double? modes, double? kl, JobStatus status = JobStatus.Succeeded) => new()
        {
            Spec = new JobSpec($"k{unroll}-s{seed}", spec.Name, unroll, 1.0, seed, "{}"),
            Status = status,
            Metrics = modes is null ? null : new Dictionary<string, double?> { ["modesCovered"] = modes, ["reverseKl"] = kl },
        };
        JobRecord[] jobs =
        [
            Job(0, 0, 1, 2.0), Job(0, 1, 2, 1.5), Job(0, 2, 3, 1.0),
            Job(10, 0, 8, 0.1), Job(10, 1, 7, null), Job(10, 2, null, null, JobStatus.Failed),
        ];

        var table = SweepAggregator.Aggregate(spec, jobs);

        var modes = table.Rows.Single(r => r.Metric == "modesCovered");
        modes.Cells[0].ShouldSatisfyAllConditions(
            c => c.N.ShouldBe(3), c => c.Mean.ShouldBe(2), c => c.StandardError!.Value.ShouldBe(Math.Sqrt(1.0 / 3), 1e-12), c => c.Failed.ShouldBe(0));
        modes.Cells[1].ShouldSatisfyAllConditions(
            c => c.N.ShouldBe(2), c => c.Mean.ShouldBe(7.5), c => c.StandardError!.Value.ShouldBe(0.5, 1e-12), c => c.Failed.ShouldBe(1));
        modes.BestColumns.ShouldBe([1]);
        modes.Cells[1].VersusNoUnroll.ShouldNotBeNull().Difference.ShouldBe(5.5);
        var kl = table.Rows.Single(r => r.Metric == "reverseKl");
        kl.Cells[1].N.ShouldBe(1, "a metric the job left undefined is not counted");
        kl.BestColumns.ShouldBe([1], "lower KL is better");
        kl.Cells[1].StandardError.ShouldBeNull();
    }

    [Fact]
    public void ACancelledSweepsTableCountsItsCancelledJobsInsteadOfSayingNoJobFailed()
    {
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 5], Sizes = [1.0], Seeds = [0, 1, 2], Metrics = ["modesCovered", "reverseKl"] };
        JobRecord Job(int unroll, int seed, JobStatus status) => new()
        {
            Spec = new JobSpec($"k{unroll}-s{seed}", spec.Name, unroll, 1.0, seed, "{}"),
            Status = status,
            Metrics = status == JobStatus.Succeeded ? new Dictionary<string, double?> { ["modesCovered"] = 4, ["reverseKl"] = 1 } : null,
        };
        JobRecord[] jobs =
        [
            Job(0, 0, JobStatus.Succeeded), Job(0, 1, JobStatus.Succeeded), Job(0, 2, JobStatus.Cancelled),
            Job(5, 0, JobStatus.Failed), Job(5, 1, JobStatus.Cancelled), Job(5, 2, JobStatus.Cancelled),
        ];

        var table = SweepAggregator.Aggregate(spec, jobs);

        var modes = table.Rows.Single(r => r.Metric == "modesCovered");
        modes.Cells.Select(c => (c.N, c.Failed, c.Cancelled)).ShouldBe([(2, 0, 1), (0, 1, 2)]);
        string markdown = ResultTableFormats.Markdown(table);
        markdown.ShouldContain("| — (n = 0 of 3, 1 failed, 2 cancelled) |");
        // Six jobs, two metric rows each: the footer counts jobs, not cells.
        markdown.TrimEnd().Split('\n')[^1].ShouldBe("1 job failed and 3 cancelled; cells say how many of theirs.");
        ResultTableFormats.Csv(table).ShouldContain("discriminatorSize,1,modesCovered,5,3,0,,,1,2,");
        var onlyCancelled = SweepAggregator.Aggregate(spec, jobs.Select(j => j.Status == JobStatus.Failed ? j with { Status = JobStatus.Cancelled } : j).ToArray());
        ResultTableFormats.Markdown(onlyCancelled).TrimEnd().Split('\n')[^1]
            .ShouldBe("No job failed; 4 jobs cancelled; cells say how many of theirs.");
    }

    [Fact]
    public void ASuccessCountsAtThePointItsResultRecordsAndOlderRecordsAtTheirSpecs()
    {
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 5], Sizes = [1.0], Seeds = [0, 1], Metrics = ["modesCovered"] };
        JobRecord Job(int unroll, int seed, double modes, int? ranUnroll) => new()
        {
            Spec = new JobSpec($"k{unroll}-s{seed}", spec.Name, unroll, 1.0, seed, "{}"),
            Status = JobStatus.Succeeded,
            Metrics = new Dictionary<string, double?> { ["modesCovered"] = modes },
            Ran = ranUnroll is { } k ? new GridPoint(k, 1.0, seed) : null,
        };

        // The sweep refuses a result whose point differs from its job's (SweepBookTests); the table trusts the recorded one.
        var table = SweepAggregator.Aggregate(spec, [Job(0, 0, 1, ranUnroll: null), Job(0, 1, 8, ranUnroll: 5), Job(5, 0, 6, ranUnroll: 5)]);

        var cells = table.Rows.Single().Cells;
        (cells[0].N, cells[0].Mean).ShouldBe((1, 1.0));
        (cells[1].N, cells[1].Mean).ShouldBe((2, 7.0));
    }

    [Fact]
    public void MarkdownLaysOutRowsBySizeAndMetricWithKColumns()
    {
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 5], Sizes = [1.0], Seeds = [0, 1], Metrics = ["modesCovered"] };
        JobRecord Job(int unroll, int seed, double modes) => new()
        {
            Spec = new JobSpec($"k{unroll}-s{seed}", spec.Name, unroll, 1.0, seed, "{}"),
            Status = JobStatus.Succeeded,
            Metrics = new Dictionary<string, double?> { ["modesCovered"] = modes },
        };
        var table = SweepAggregator.Aggregate(spec, [Job(0, 0, 1), Job(0, 1, 3), Job(5, 0, 8), Job(5, 1, 6)]);

        string markdown = ResultTableFormats.Markdown(table);

        markdown.ShouldContain("| Discriminator size | Metric | K = 0 | K = 5 |");
        markdown.ShouldContain("| 1 | Modes covered ↑ | 2.00 ± 1.00 | **7.00 ± 1.00** |");
        // Pooled 1, 3, 6, 8: of the 6 splits into two pairs, {6, 8} | {1, 3} and its mirror differ by 5 or more.
        markdown.ShouldContain("| | p vs K = 0 |  | 0.333 |");
        ResultTableFormats.Csv(table).ShouldContain("discriminatorSize,1,modesCovered,5,2,2,7,1,0,0,permutation,5,,,0.3333333333333333,true");
        ResultTableFormats.Latex(table).ShouldContain("$\\mathbf{7.00 \\pm 1.00}$");
    }

    [Fact]
    public void AMetricTitleWithPipesKeepsEveryMarkdownRowAtTheHeadersColumnCount()
    {
        var table = new ResultTable("x", SizeAxis.DiscriminatorSize, [0, 1],
            [new ResultRow(1, "reverseKl", "KL(model || data)", RowGoal.Lower, 0, [new ResultCell(0, 1, 2, null, 0, null), new ResultCell(1, 1, 1, null, 0, null)], [1])], Seeds: 1);

        var rows = ResultTableFormats.Markdown(table).Split('\n').Where(l => l.StartsWith('|')).ToArray();

        int Columns(string line) => System.Text.RegularExpressions.Regex.Matches(line, @"(?<!\\)\|").Count;
        rows.Length.ShouldBe(3);
        rows.Select(Columns).Distinct().ShouldHaveSingleItem();
    }
}
