using System.Text;
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

/// <summary>What one job has written so far: its snapshots' metrics and its logged losses, and which files were read only to their end.</summary>
public sealed record JobSeries(JobSpec Job, IReadOnlyList<SnapshotMetrics> Snapshots, IReadOnlyList<LossPoint> Losses)
{
    public IReadOnlyList<FileTail> Tails { get; init; } = [];
}

/// <summary>A file longer than the page reads: its length, and the first step among the lines read from its end.</summary>
public sealed record FileTail(string File, long Length, long BytesRead, int? FirstStep);

/// <summary>The curves, and what the page should say about files it read only in part.</summary>
public sealed record CurvesView(IReadOnlyList<CurveChart> Charts, IReadOnlyList<string> Notices);

/// <summary>
/// Curves over steps, the way a reader compares K: for each metric and each loss, one line per K whose every point is
/// the mean ± standard error over seeds, the same statistics as the table's cells.
/// </summary>
public static class Curves
{
    public const string GeneratorLoss = "generatorLoss";
    public const string DiscriminatorLoss = "discriminatorLoss";

    /// <summary>
    /// What a /curves request may read. logInterval = 1 over many steps makes losses.jsonl grow without limit, and the
    /// page asks every few seconds; so each file is read only to its last MaxTailBytes (about 4,000 loss lines), fewer
    /// when a sweep has so many jobs that the request would read more than RequestBytes, but never fewer than MinTailBytes.
    /// </summary>
    public const long MaxTailBytes = 256 * 1024;
    public const long MinTailBytes = 16 * 1024;
    public const long RequestBytes = 64L * 1024 * 1024;

    /// <summary>How much of each job's files one request reads.</summary>
    public static long TailBytes(int jobs) => Math.Clamp(RequestBytes / Math.Max(1, 2 * jobs), MinTailBytes, MaxTailBytes);

    /// <summary>Every job's curves as the page shows them, read from the jobs' folders under the sweep's (real) folder.</summary>
    public static CurvesView View(string experiment, IReadOnlyList<JobSpec> jobs, string? sweepFolder)
    {
        long tail = TailBytes(jobs.Count);
        var series = jobs.Select(job => sweepFolder is null
            ? new JobSeries(job, [], [])
            : Read(job, new RunLayout(TrainerProtocol.JobFolder(sweepFolder, job.JobId)), tail)).ToArray();
        return new CurvesView(Aggregate(experiment, series), Notices(series));
    }

    /// <summary>One line per job whose file was read in part (at most five, then how many more).</summary>
    public static IReadOnlyList<string> Notices(IReadOnlyList<JobSeries> series)
    {
        var cut = series.SelectMany(s => s.Tails.Select(t => (s.Job.JobId, Tail: t))).ToArray();
        const int listed = 5;
        var notices = cut.Take(listed).Select(c =>
            $"{c.JobId}: {c.Tail.File} is {Size(c.Tail.Length)}; the curves show its last {Size(c.Tail.BytesRead)}" +
            (c.Tail.FirstStep is { } step ? $", from step {step:N0} on" : "") + " (the whole file is in the job's folder).").ToList();
        if (cut.Length > listed)
        {
            notices.Add($"{cut.Length - listed} more of the jobs' files are shown only to their last {Size(cut[listed].Tail.BytesRead)}.");
        }
        return notices;
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : $"{bytes / 1024.0:0.#} KiB";

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
    /// Reads a job's files, each to its last <paramref name="tailBytes"/>. Snapshots are rewritten whole (atomically);
    /// losses are appended, so a resumed run's repeated steps keep their last line, and a line cut short by a write in
    /// progress (or by where the tail begins) is skipped. A file that is a link out of the job's folder is not read.
    /// </summary>
    public static JobSeries Read(JobSpec job, RunLayout layout, long tailBytes = MaxTailBytes)
    {
        var (snapshots, snapshotsTail) = Tail<SnapshotMetrics>(layout.Folder, TrainerProtocol.Files.Snapshots, tailBytes, s => s.Step);
        var (losses, lossesTail) = Tail<LossPoint>(layout.Folder, TrainerProtocol.Files.Losses, tailBytes, l => l.Step);
        return new JobSeries(job, snapshots, losses.GroupBy(l => l.Step).Select(g => g.Last()).OrderBy(l => l.Step).ToArray())
        {
            Tails = new[] { snapshotsTail, lossesTail }.OfType<FileTail>().ToArray(),
        };
    }

    private static (IReadOnlyList<T> Values, FileTail? Tail) Tail<T>(string folder, string file, long tailBytes, Func<T, int> step) where T : class
    {
        byte[] bytes;
        long length;
        using (var stream = ContainedFile.Open(folder, file))
        {
            if (stream is null)
            {
                return ([], null);
            }
            try
            {
                length = stream.Length;
                stream.Seek(Math.Max(0, length - tailBytes), SeekOrigin.Begin);
                bytes = new byte[Math.Min(length, tailBytes)];
                stream.ReadExactly(bytes);
            }
            catch (IOException)
            {
                return ([], null);
            }
        }
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        bool cut = bytes.Length < length;
        var values = Parse<T>(cut ? lines.Skip(1) : lines).ToArray();
        return (values, cut ? new FileTail(file, length, bytes.Length, values.Length > 0 ? values.Min(step) : null) : null);
    }

    private static IEnumerable<T> Parse<T>(IEnumerable<string> lines) where T : class
    {
        foreach (string line in lines.Where(l => l.Length > 0))
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
