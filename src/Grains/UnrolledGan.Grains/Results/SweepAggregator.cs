using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// Folds a sweep's job records into the paper's table: a cell is every axis but the seed. A seed whose job failed or
/// was cancelled, or whose job could not define the metric (a null), has no value in that cell: n counts the seeds
/// that do, and the table shows n against the sweep's seeds rather than averaging the missing ones away.
/// </summary>
public static class SweepAggregator
{
    public static ResultTable Aggregate(SweepSpec spec, IReadOnlyList<JobRecord> jobs)
    {
        var unrolls = spec.Unrolls.Order().ToArray();
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
                    Count(jobs, size, k, JobStatus.Failed),
                    k != 0 && baseline is not null ? Statistics.Compare(values[k], baseline) : null,
                    Count(jobs, size, k, JobStatus.Cancelled))).ToArray();
                rows.Add(new ResultRow(size, metric.Name, metric.Title, GoalOf(metric.Better), metric.Target, cells, BestColumns(cells, metric)));
            }
        }
        return new ResultTable(spec.Experiment, spec.SizeAxis, unrolls, rows, spec.Seeds.Count);
    }

    private static int Count(IReadOnlyList<JobRecord> jobs, double size, int unroll, JobStatus status) =>
        jobs.Count(j => j.Spec.Size == size && j.Spec.Unroll == unroll && j.Status == status);

    /// <summary>A success counts at the point of the config that ran, as its result file recorded it (<see cref="JobRecord.Ran"/>).</summary>
    private static List<double> Values(IReadOnlyList<JobRecord> jobs, double size, int unroll, string metric) =>
        jobs.Where(j => j.Status == JobStatus.Succeeded && (j.Ran ?? j.Spec.Point) is var ran && ran.Size == size && ran.Unroll == unroll)
            .Select(j => j.Metrics?.GetValueOrDefault(metric))
            .OfType<double>()
            .ToList();

    /// <summary>
    /// The columns the paper would bold: every one whose mean is best for the metric (highest, lowest, or closest
    /// to its target), so a tie bolds them all. Means equal but for rounding in the last bits count as a tie.
    /// </summary>
    public static IReadOnlyList<int> BestColumns(IReadOnlyList<ResultCell> cells, MetricDefinition metric)
    {
        var shortfalls = cells.Select(c => c.Mean is { } mean ? metric.Shortfall(mean) : null).ToArray();
        if (shortfalls.All(s => s is null))
        {
            return [];
        }
        double best = shortfalls.OfType<double>().Min();
        double tolerance = 1e-9 * Math.Max(1, Math.Abs(best));
        return Enumerable.Range(0, cells.Count).Where(i => shortfalls[i] is { } s && s <= best + tolerance).ToArray();
    }

    private static RowGoal GoalOf(Better better) => better switch
    {
        Better.Higher => RowGoal.Higher,
        Better.Lower => RowGoal.Lower,
        Better.CloserToTarget => RowGoal.CloserToTarget,
        _ => RowGoal.Unranked,
    };
}
