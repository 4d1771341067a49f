using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// Builds a sweep's table from its recorded results, and renders its files, on the thread pool: reading job files and
/// drawing pictures take longer than a grain turn should, and the grain's scheduler stays free meanwhile.
/// </summary>
public sealed class SweepReports(IRecordedResults recorded, IOptions<ResultsOptions> results)
{
    /// <summary>The table so far; writes nothing.</summary>
    public Task<SweepResults> TableAsync(SweepSpec spec, IReadOnlyList<JobRecord> jobs) =>
        Task.Run(async () => SweepReport.Table(spec, await recorded.WithRecordedMetricsAsync(spec.Name, jobs), results.Value.SweepFolder(spec.Name)));

    /// <summary>The table in every format and the sweep's pictures, written to its folder.</summary>
    public Task<SweepResults> WriteAsync(SweepSpec spec, IReadOnlyList<JobRecord> jobs) =>
        Task.Run(async () => SweepReport.Write(spec, await recorded.WithRecordedMetricsAsync(spec.Name, jobs), results.Value.SweepFolder(spec.Name)));
}
