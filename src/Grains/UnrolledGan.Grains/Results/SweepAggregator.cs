using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// Folds a sweep's job records into the paper's table: a cell is every axis but the seed. Failed jobs are counted
/// per cell rather than hidden, and a metric a job could not define (a null) leaves that job out of n.
/// </summary>
public static class SweepAggregator
{
    public static ResultTable Aggregate(SweepSpec spec, IReadOnlyList<JobRecord> jobs)
    {
        var unrolls = spec.Unroll.Order().ToArray();
        var rows = new List<ResultRow>();
        foreach (double size in spec.Sizes)
        {
            foreach (var metric in SweepPlanner.MetricsOf(spec))
            {
                var values = unrolls.ToDictionary(k => k, k => Values(jobs, size, k, metric.Name));
                var baseline = values.GetValueOrDefault(0);
                var cells = unrolls.Select(k => new ResultCell(
                    k,
                    values[k].Count,
                    values[k].Count > 0 ? Statistics.Mean(values[k]) : null,
                    Statistics.StandardError(values[k]),
                    jobs.Count(j => j.Spec.Size == size && j.Spec.Unroll == k && j.Status == JobStatus.Failed),
                    k != 0 && baseline is not null ? Statistics.Welch(values[k], baseline) : null)).ToArray();
                rows.Add(new ResultRow(size, metric.Name, metric.Title, metric.HigherIsBetter, cells, Best(cells, metric.HigherIsBetter)));
            }
        }
        return new ResultTable(spec.Experiment, spec.SizeAxis, unrolls, rows);
    }

    private static List<double> Values(IReadOnlyList<JobRecord> jobs, double size, int unroll, string metric) =>
        jobs.Where(j => j.Spec.Size == size && j.Spec.Unroll == unroll && j.Status == JobStatus.Succeeded)
            .Select(j => j.Metrics?.GetValueOrDefault(metric))
            .OfType<double>()
            .ToList();

    /// <summary>The column the paper would bold: the best mean in the metric's direction.</summary>
    private static int? Best(IReadOnlyList<ResultCell> cells, bool higherIsBetter)
    {
        int? best = null;
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i].Mean is not { } mean)
            {
                continue;
            }
            if (best is null || (higherIsBetter ? mean > cells[best.Value].Mean : mean < cells[best.Value].Mean))
            {
                best = i;
            }
        }
        return best;
    }
}
