using UnrolledGan.Figures;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>Writes a sweep's table, in every format, beside its jobs' folders.</summary>
public static class SweepReport
{
    public static SweepResults Write(SweepSpec spec, IReadOnlyList<JobRecord> jobs, string folder)
    {
        var table = SweepAggregator.Aggregate(spec, jobs);
        string markdown = ResultTableFormats.Markdown(table, spec.Seeds.Count);
        Directory.CreateDirectory(folder);
        var files = new (string Name, string Text)[]
        {
            ("table.md", markdown),
            ("table.csv", ResultTableFormats.Csv(table)),
            ("table.json", ResultTableFormats.Json(table)),
            ("table.tex", ResultTableFormats.Latex(table, spec.Seeds.Count)),
        };
        foreach (var (name, text) in files)
        {
            AtomicFile.WriteAllText(Path.Combine(folder, name), text);
        }
        var written = files.Select(f => Path.Combine(folder, f.Name)).ToList();
        // Fig. 2 for the whole sweep: every finished job's density row, ordered size, K, seed as the grid is.
        string picture = Path.Combine(folder, "densities.png");
        var rows = jobs.Where(j => j.Status == JobStatus.Succeeded)
            .Select(j => new RunLayout(Path.Combine(folder, "jobs", j.Spec.JobId)).Density)
            .ToArray();
        if (PictureGrid.Stack(picture, $"{spec.Name}: generator density by K and seed ({spec.Experiment})", rows))
        {
            written.Add(picture);
        }
        return new SweepResults(table, markdown, folder, written);
    }
}
