using System.Text.Json;
using UnrolledGan.Grains.Results;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

public sealed class CrossModelMetricsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("unrolledgan-rank-").FullName;

    [Fact]
    public void PercentBestRankComparesTheModelsOfOneSeedOnTheSameTargetsThenAggregatesOverSeeds()
    {
        var spec = SweepPlannerTests.Spec() with
        {
            Experiment = Experiments.Cifar10, Unrolls = [0, 10], Sizes = [1.0], Seeds = [0, 1], Metrics = ["percentBestRank"],
        };
        // Seed 0: K = 10 wins targets 1–3 of 4 (75%), K = 0 target 0 (25%). Seed 1: a tie on target 0 is shared, K = 10
        // wins 1 and 2, K = 0 wins 3, so K = 10 has 2.5 of 4 (62.5%) and K = 0 37.5%.
        JobRecord[] jobs =
        [
            Job(spec, 0, 0, [0.1f, 0.5f, 0.5f, 0.5f]), Job(spec, 10, 0, [0.2f, 0.1f, 0.1f, 0.1f]),
            Job(spec, 0, 1, [0.3f, 0.5f, 0.5f, 0.1f]), Job(spec, 10, 1, [0.3f, 0.1f, 0.1f, 0.2f]),
        ];

        var ranked = CrossModelMetrics.WithPercentBestRank(jobs, j => new RunLayout(Path.Combine(_folder, j.Spec.JobId)));
        var table = SweepAggregator.Aggregate(spec, ranked);

        var row = table.Rows.Single();
        row.Cells[0].Mean!.Value.ShouldBe((25 + 37.5) / 2, 1e-9);
        row.Cells[1].Mean!.Value.ShouldBe((75 + 62.5) / 2, 1e-9);
        row.Cells[1].StandardError!.Value.ShouldBe(6.25, 1e-9);
        row.BestColumns.ShouldBe([1]);
    }

    [Fact]
    public void JobsWithoutInferenceFilesAreLeftAsTheyAre()
    {
        var spec = SweepPlannerTests.Spec() with { Unrolls = [0, 10], Seeds = [0] };
        JobRecord[] jobs = [Job(spec, 0, 0, null), Job(spec, 10, 0, [0.1f])];

        var ranked = CrossModelMetrics.WithPercentBestRank(jobs, j => new RunLayout(Path.Combine(_folder, j.Spec.JobId)));

        ranked.ShouldAllBe(j => j.Metrics == null || !j.Metrics.ContainsKey(Experiments.Metrics.PercentBestRank),
            "one model alone has no rank");
    }

    private JobRecord Job(SweepSpec spec, int unroll, int seed, float[]? errors)
    {
        string id = $"k{unroll}-s{seed}";
        if (errors is not null)
        {
            var layout = new RunLayout(Path.Combine(_folder, id));
            Directory.CreateDirectory(layout.Folder);
            File.WriteAllText(layout.Inference, JsonSerializer.Serialize(new InferenceFile(errors), TrainerJson.Options));
        }
        return new JobRecord
        {
            Spec = new JobSpec(id, spec.Name, unroll, 1.0, seed, "{}"),
            Status = JobStatus.Succeeded,
            Metrics = new Dictionary<string, double?> { [Experiments.Metrics.InferenceMse] = errors?.Average() },
        };
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
