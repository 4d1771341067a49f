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
        return new SweepResults(table, markdown, folder, files.Select(f => Path.Combine(folder, f.Name)).ToArray());
    }
}
