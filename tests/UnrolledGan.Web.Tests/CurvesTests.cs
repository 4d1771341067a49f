using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web.Tests;

public sealed class CurvesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("unrolledgan-curves-").FullName;

    private static JobSpec Job(int unroll, int seed, double size = 1.0) => new($"k{unroll}-x{size}-s{seed}", "curves", unroll, size, seed, "{}");

    private static SnapshotMetrics Snapshot(int step, double? modes, double? kl = null) =>
        new(step, new Dictionary<string, double?> { [Experiments.Metrics.ModesCovered] = modes, [Experiments.Metrics.ReverseKl] = kl });

    [Fact]
    public void EachPointIsTheMeanAndStandardErrorOverTheSeedsThatReachedIt()
    {
        JobSeries[] jobs =
        [
            new(Job(0, 0), [Snapshot(0, 1), Snapshot(100, 1)], []),
            new(Job(0, 1), [Snapshot(0, 1), Snapshot(100, 2)], []),
            // Still running: it has not reached step 100 yet.
            new(Job(0, 2), [Snapshot(0, 1)], []),
            new(Job(10, 0), [Snapshot(0, 2), Snapshot(100, 8)], []),
            new(Job(10, 1), [Snapshot(0, 4), Snapshot(100, 7)], []),
            new(Job(10, 2), [Snapshot(0, 9), Snapshot(100, 6)], []),
        ];

        var modes = Curves.Aggregate(Experiments.MixtureOfGaussians, jobs).Single(c => c.Key == Experiments.Metrics.ModesCovered);

        modes.Title.ShouldBe("Modes covered");
        modes.HigherIsBetter.ShouldBe(true);
        modes.Lines.Select(l => l.Unroll).ShouldBe([0, 10]);
        var k0 = modes.Lines[0].Points;
        k0.Select(p => p.Step).ShouldBe([0, 100]);
        // Step 0: 1, 1, 1, no spread. Step 100: 1 and 2 (n = 2): mean 1.5, s = √0.5, SE = √0.5 / √2 = 0.5.
        k0[0].ShouldBe(new CurvePoint(0, 1, 0, 3));
        k0[1].Mean.ShouldBe(1.5);
        k0[1].StandardError!.Value.ShouldBe(0.5, 1e-12);
        k0[1].N.ShouldBe(2);
        // K = 10 at step 0: 2, 4, 9: mean 5, sample variance (9 + 1 + 16) / 2 = 13, SE = √(13 / 3).
        var k10 = modes.Lines[1].Points[0];
        k10.Mean.ShouldBe(5);
        k10.StandardError!.Value.ShouldBe(Math.Sqrt(13.0 / 3), 1e-12);
        // Step 100: 8, 7, 6: mean 7, SE = 1 / √3.
        modes.Lines[1].Points[1].StandardError!.Value.ShouldBe(1 / Math.Sqrt(3), 1e-12);
    }

    [Fact]
    public void UndefinedValuesAreLeftOutAndOneSeedHasNoStandardError()
    {
        JobSeries[] jobs =
        [
            new(Job(5, 0), [Snapshot(0, 1, kl: null), Snapshot(100, 2, kl: 0.5)], []),
            new(Job(5, 1), [Snapshot(0, 1, kl: null), Snapshot(100, 3, kl: null)], []),
        ];

        var kl = Curves.Aggregate(Experiments.MixtureOfGaussians, jobs).Single(c => c.Key == Experiments.Metrics.ReverseKl);

        kl.HigherIsBetter.ShouldBe(false);
        kl.Lines.Single().Points.ShouldBe([new CurvePoint(100, 0.5, null, 1)]);
    }

    [Fact]
    public void ChartsComeMetricsFirstInTheTablesOrderThenLossesWithASeparateChartPerSize()
    {
        LossPoint[] losses = [new(10, -1.4, 1.3), new(20, -1.2, null)];
        JobSeries[] jobs =
        [
            new(Job(0, 0, size: 0.5), [Snapshot(0, 1, kl: 2)], losses),
            new(Job(0, 0, size: 1.0), [Snapshot(0, 1, kl: 2)], losses),
        ];

        var charts = Curves.Aggregate(Experiments.MixtureOfGaussians, jobs);

        charts.Select(c => (c.Key, c.Size)).ShouldBe(
        [
            (Experiments.Metrics.ModesCovered, 0.5), (Experiments.Metrics.ModesCovered, 1.0),
            (Experiments.Metrics.ReverseKl, 0.5), (Experiments.Metrics.ReverseKl, 1.0),
            (Curves.GeneratorLoss, 0.5), (Curves.GeneratorLoss, 1.0),
            (Curves.DiscriminatorLoss, 0.5), (Curves.DiscriminatorLoss, 1.0),
        ]);
        charts.Where(c => c.Key == Curves.GeneratorLoss).ShouldAllBe(c => c.Kind == CurveKind.Loss && c.HigherIsBetter == null);
        charts.First(c => c.Key == Curves.DiscriminatorLoss).Lines.Single().Points.Select(p => p.Step).ShouldBe([10]);
    }

    [Fact]
    public void ReadingAJobKeepsTheLastLossOfAStepARunRepeatedAndSkipsACutLine()
    {
        var layout = new RunLayout(_folder);
        File.WriteAllLines(layout.Snapshots, [Line(Snapshot(0, 1)), Line(Snapshot(100, 3))]);
        // A run checkpointed at step 20, was killed at step 40 and resumed: steps 30 and 40 were logged twice.
        File.WriteAllText(layout.Losses, string.Concat(
            new LossPoint[] { new(10, -1, 1), new(20, -2, 2), new(30, -3, 3), new(40, -4, 4), new(30, -3.5, 3.5), new(40, -4.5, 4.5) }
                .Select(l => Line(l) + "\n")) + "{\"step\":50,\"gener");

        var series = Curves.Read(Job(0, 0), layout);

        series.Snapshots.Select(s => s.Step).ShouldBe([0, 100]);
        series.Losses.ShouldBe([new LossPoint(10, -1, 1), new LossPoint(20, -2, 2), new LossPoint(30, -3.5, 3.5), new LossPoint(40, -4.5, 4.5)]);
    }

    [Fact]
    public void AHugeLossesFileIsReadOnlyToItsEndAndThePageIsToldSo()
    {
        // logInterval = 1 over 200,000 steps: about 11 MB, which every /curves request used to read whole.
        var layout = new RunLayout(_folder);
        using (var writer = new StreamWriter(layout.Losses))
        {
            for (int step = 1; step <= 200_000; step++)
            {
                writer.WriteLine(Line(new LossPoint(step, -step, step)));
            }
        }
        long length = new FileInfo(layout.Losses).Length;

        var series = Curves.Read(Job(0, 0), layout);

        // The last 256 KiB: whole lines only (the first one read is cut), up to the last step, in order.
        int lineLength = Line(new LossPoint(200_000, -200_000, 200_000)).Length + 1;
        series.Losses.Count.ShouldBeInRange((int)(Curves.MaxTailBytes / lineLength) - 1, (int)(Curves.MaxTailBytes / lineLength));
        series.Losses[^1].ShouldBe(new LossPoint(200_000, -200_000, 200_000));
        series.Losses.Select(l => l.Step).ShouldBe(Enumerable.Range(series.Losses[0].Step, series.Losses.Count));
        series.Tails.ShouldBe([new FileTail("losses.jsonl", length, Curves.MaxTailBytes, series.Losses[0].Step)]);
        Curves.Notices([series]).ShouldBe(
        [
            $"k0-x1-s0: losses.jsonl is {length / (1024.0 * 1024):0.#} MiB; the curves show its last 256 KiB, " +
            $"from step {series.Losses[0].Step:N0} on (the whole file is in the job's folder).",
        ]);
    }

    [Fact]
    public void ARequestReadsLessOfEachFileTheMoreJobsItHasWithinBounds()
    {
        Curves.TailBytes(1).ShouldBe(Curves.MaxTailBytes);
        Curves.TailBytes(128).ShouldBe(Curves.MaxTailBytes);
        Curves.TailBytes(1024).ShouldBe(Curves.RequestBytes / 2048);
        Curves.TailBytes(1_000_000).ShouldBe(Curves.MinTailBytes);
    }

    [Fact]
    public void AFileLinkedOutOfTheJobsFolderIsNotRead()
    {
        string outside = Path.Combine(_folder, "outside.jsonl");
        File.WriteAllLines(outside, [Line(new LossPoint(10, -1, 1))]);
        var layout = new RunLayout(Directory.CreateDirectory(Path.Combine(_folder, "job")).FullName);
        File.CreateSymbolicLink(layout.Losses, outside);

        Curves.Read(Job(0, 0), layout).Losses.ShouldBeEmpty();
    }

    [Fact]
    public void AJobWithoutFilesHasNoSeries()
    {
        var series = Curves.Read(Job(0, 0), new RunLayout(Path.Combine(_folder, "missing")));

        series.Snapshots.ShouldBeEmpty();
        series.Losses.ShouldBeEmpty();
        Curves.Aggregate(Experiments.MixtureOfGaussians, [series]).ShouldBeEmpty();
    }

    private static string Line<T>(T value) => JsonSerializer.Serialize(value, TrainerJson.Compact);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
