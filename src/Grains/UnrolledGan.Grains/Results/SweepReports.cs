using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// Builds a sweep's table from its recorded results, and renders its files, on the thread pool: reading job files and
/// drawing pictures take longer than a grain turn should, and the grain's scheduler stays free meanwhile. The jobs
/// are copied first, so the grain may go on changing its own list.
/// </summary>
public sealed class SweepReports(IRecordedResults recorded, IOptions<ResultsOptions> results)
{
    /// <summary>The table so far; writes nothing.</summary>
    public Task<SweepResults> TableAsync(SweepSpec spec, IReadOnlyList<JobRecord> jobs, CancellationToken cancellation = default)
    {
        var copy = jobs.ToArray();
        return Task.Run(async () => SweepReport.Table(spec, await recorded.WithRecordedMetricsAsync(spec.Name, copy, cancellation),
            results.Value.SweepFolder(spec.Name)), CancellationToken.None);
    }

    /// <summary>The table in every format and the sweep's pictures, written to its folder.</summary>
    public Task<SweepResults> WriteAsync(SweepSpec spec, IReadOnlyList<JobRecord> jobs, CancellationToken cancellation = default)
    {
        var copy = jobs.ToArray();
        return Task.Run(async () => SweepReport.Write(spec, await recorded.WithRecordedMetricsAsync(spec.Name, copy, cancellation),
            results.Value.SweepFolder(spec.Name)), CancellationToken.None);
    }

    /// <summary>Whether every file a written report listed is still there.</summary>
    public static bool OnDisk(IReadOnlyList<string>? files) => files is not null && files.All(File.Exists);
}
