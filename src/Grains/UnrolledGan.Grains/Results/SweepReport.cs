using UnrolledGan.Figures;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>A sweep's table, and its files: the table in every format and the pictures, beside its jobs' folders.</summary>
public static class SweepReport
{
    /// <summary>The table over what has finished; it reads job files (Table 3's ranks) and writes nothing.</summary>
    public static SweepResults Table(SweepSpec spec, IReadOnlyList<JobRecord> jobs, string folder)
    {
        RunLayout LayoutOf(JobRecord job) => new(TrainerProtocol.JobFolder(folder, job.Spec.JobId));
        var table = SweepAggregator.Aggregate(spec, CrossModelMetrics.WithPercentBestRank(jobs, LayoutOf));
        return new SweepResults(table, ResultTableFormats.Markdown(table), folder, []);
    }

    public static SweepResults Write(SweepSpec spec, IReadOnlyList<JobRecord> jobs, string folder)
    {
        RunLayout LayoutOf(JobRecord job) => new(TrainerProtocol.JobFolder(folder, job.Spec.JobId));
        var (table, markdown, _, _) = Table(spec, jobs, folder);
        Directory.CreateDirectory(folder);
        var files = new (string Name, string Text)[]
        {
            ("table.md", markdown),
            ("table.csv", ResultTableFormats.Csv(table)),
            ("table.json", ResultTableFormats.Json(table)),
            ("table.tex", ResultTableFormats.Latex(table)),
        };
        foreach (var (name, text) in files)
        {
            AtomicFile.WriteAllText(Path.Combine(folder, name), text);
        }
        var written = files.Select(f => Path.Combine(folder, f.Name)).ToList();
        // Fig. 2 for the whole sweep: every finished job's density row, ordered size, K, seed as the grid is.
        string picture = Path.Combine(folder, "densities.png");
        var succeeded = jobs.Where(j => j.Status == JobStatus.Succeeded).ToArray();
        string what = spec.Experiment == Experiments.MixtureOfGaussians ? "generator density" : "samples";
        if (PictureGrid.Stack(picture, $"{spec.Name}: {what} by K and seed ({spec.Experiment})", [.. succeeded.Select(j => LayoutOf(j).Density)]))
        {
            written.Add(picture);
        }
        string histogram = Path.Combine(folder, "distances.png");
        if (DrawDistances(spec, succeeded, LayoutOf, histogram))
        {
            written.Add(histogram);
        }
        return new SweepResults(table, markdown, folder, written);
    }

    /// <summary>Fig. 6: pairwise ℓ2 distances of each K's samples (seeds pooled) against the data's, per size.</summary>
    private static bool DrawDistances(SweepSpec spec, IReadOnlyList<JobRecord> jobs, Func<JobRecord, RunLayout> layoutOf, string path)
    {
        var files = jobs.Select(j => (Job: j, File: JobFiles.Read<PairDistanceFile>(layoutOf(j).Distances))).Where(x => x.File is not null).ToArray();
        if (files.Length == 0)
        {
            return false;
        }
        var series = new List<(string Label, double[] Distances)> { ("data", files[0].File!.Data.ToArray()) };
        foreach (var group in files.GroupBy(x => (x.Job.Spec.Size, x.Job.Spec.Unroll)).OrderBy(g => g.Key.Size).ThenBy(g => g.Key.Unroll))
        {
            string size = spec.Sizes.Count > 1 ? $", X = {group.Key.Size:0.##}" : "";
            series.Add(($"K = {group.Key.Unroll}{size}", group.SelectMany(x => x.File!.Model).ToArray()));
        }
        DistanceHistogram.Save(path, $"{spec.Name}: pairwise ℓ2 distances of samples ({spec.Experiment})", series);
        return true;
    }
}
