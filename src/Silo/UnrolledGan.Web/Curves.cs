using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Results;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web;

/// <summary>One chart: a metric or a loss over training steps at one size, with a line per K.</summary>
public sealed record CurveChart(string Key, string Title, CurveKind Kind, bool? HigherIsBetter, double Size, IReadOnlyList<CurveLine> Lines);

public enum CurveKind
{
    Metric,
    Loss,
}

public sealed record CurveLine(int Unroll, IReadOnlyList<CurvePoint> Points);

/// <summary>The mean over the seeds that reached this step, its standard error (none for fewer than two) and how many there were.</summary>
public sealed record CurvePoint(int Step, double Mean, double? StandardError, int N);

/// <summary>What one job has written so far: its snapshots' metrics and its logged losses.</summary>
public sealed record JobSeries(JobSpec Job, IReadOnlyList<SnapshotMetrics> Snapshots, IReadOnlyList<LossPoint> Losses);

/// <summary>
/// Curves over steps, the way a reader compares K: for each metric and each loss, one line per K whose every point is
/// the mean ± standard error over seeds, the same statistics as the table's cells.
/// </summary>
public static class Curves
{
    public const string GeneratorLoss = "generatorLoss";
    public const string DiscriminatorLoss = "discriminatorLoss";

    public static IReadOnlyList<CurveChart> Aggregate(string experiment, IReadOnlyList<JobSeries> jobs)
    {
        var definitions = Experiments.IsKnown(experiment) ? Experiments.MetricsOf(experiment) : [];
        var metrics = definitions.Select(d => d.Name)
            .Concat(jobs.SelectMany(j => j.Snapshots.SelectMany(s => s.Metrics.Keys)))
            .Distinct()
            .Where(name => jobs.Any(j => j.Snapshots.Any(s => s.Metrics.GetValueOrDefault(name) is not null)))
            .ToArray();
        var sizes = jobs.Select(j => j.Job.Size).Distinct().Order().ToArray();
        var charts = new List<CurveChart>();
        foreach (string metric in metrics)
        {
            var definition = definitions.FirstOrDefault(d => d.Name == metric);
            charts.AddRange(sizes.Select(size => new CurveChart(metric, definition?.Title ?? metric, CurveKind.Metric, HigherIsBetter(definition), size,
                Lines(jobs, size, job => job.Snapshots.Select(s => (s.Step, s.Metrics.GetValueOrDefault(metric)))))));
        }
        // Eq. 10 is what the generator descends (through K unrolled steps), Eq. 11 what the discriminator descends.
        var losses = new (string Key, string Title, Func<LossPoint, double?> Value)[]
        {
            (GeneratorLoss, "Generator loss (Eq. 10)", l => l.Generator),
            (DiscriminatorLoss, "Discriminator loss (Eq. 11)", l => l.Discriminator),
        };
        foreach (var (key, title, value) in losses.Where(l => jobs.Any(j => j.Losses.Any(p => l.Value(p) is not null))))
        {
            charts.AddRange(sizes.Select(size => new CurveChart(key, title, CurveKind.Loss, HigherIsBetter: null, size,
                Lines(jobs, size, job => job.Losses.Select(l => (l.Step, value(l)))))));
        }
        return charts;
    }

    /// <summary>The direction the page marks on a metric's chart; none for a metric aimed at a target or unranked.</summary>
    private static bool? HigherIsBetter(MetricDefinition? definition) => definition?.Better switch
    {
        Better.Higher => true,
        Better.Lower => false,
        _ => null,
    };

    private static IReadOnlyList<CurveLine> Lines(IReadOnlyList<JobSeries> jobs, double size, Func<JobSeries, IEnumerable<(int Step, double? Value)>> values) =>
        jobs.Where(j => j.Job.Size == size)
            .GroupBy(j => j.Job.Unroll)
            .OrderBy(g => g.Key)
            .Select(g => new CurveLine(g.Key, g
                .SelectMany(values)
                .Where(p => p.Value is { } v && double.IsFinite(v))
                .GroupBy(p => p.Step, p => p.Value!.Value)
                .OrderBy(s => s.Key)
                .Select(s => Point(s.Key, s.ToArray()))
                .ToArray()))
            .Where(line => line.Points.Count > 0)
            .ToArray();

    private static CurvePoint Point(int step, double[] seeds) =>
        new(step, Statistics.Mean(seeds), Statistics.StandardError(seeds), seeds.Length);

    /// <summary>
    /// Reads a job's files. Snapshots are rewritten whole (atomically); losses are appended, so a resumed run's repeated
    /// steps keep their last line, and a line cut short by a write in progress is skipped.
    /// </summary>
    public static JobSeries Read(JobSpec job, RunLayout layout) => new(
        job,
        Lines<SnapshotMetrics>(layout.Snapshots).ToArray(),
        Lines<LossPoint>(layout.Losses).GroupBy(l => l.Step).Select(g => g.Last()).OrderBy(l => l.Step).ToArray());

    private static IEnumerable<T> Lines<T>(string path) where T : class
    {
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            yield break;
        }
        foreach (string line in lines)
        {
            T? value = null;
            try
            {
                value = JsonSerializer.Deserialize<T>(line, TrainerJson.Compact);
            }
            catch (JsonException)
            {
            }
            if (value is not null)
            {
                yield return value;
            }
        }
    }
}
