using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// Measures that compare a sweep's models with each other rather than with the data. Table 3's "percent best
/// rank": the models trained from the same seed and size at each K reconstruct the same data targets (§3.4.1); each
/// model's share of the targets it reconstructs best becomes that job's metric, so the table gives its mean ±
/// standard error over seeds like any other.
/// </summary>
public static class CrossModelMetrics
{
    public static IReadOnlyList<JobRecord> WithPercentBestRank(IReadOnlyList<JobRecord> jobs, Func<JobRecord, RunLayout> layoutOf)
    {
        var errors = jobs.Where(j => j.Status == JobStatus.Succeeded)
            .Select(j => (Job: j, File: JobFiles.Read<InferenceFile>(layoutOf(j).Inference)))
            .Where(x => x.File is not null)
            .ToDictionary(x => x.Job.Spec.JobId, x => x.File!.Errors);
        var ranks = new Dictionary<string, double>();
        foreach (var group in jobs.Where(j => errors.ContainsKey(j.Spec.JobId)).GroupBy(j => (j.Spec.Size, j.Spec.Seed)))
        {
            var members = group.Where(j => errors[j.Spec.JobId].Count == errors[group.First().Spec.JobId].Count).ToArray();
            if (members.Length < 2)
            {
                continue;
            }
            var percent = BestRank.PercentBest(members.ToDictionary(
                j => j.Spec.JobId, j => (IReadOnlyList<double>)errors[j.Spec.JobId].Select(e => (double)e).ToArray()));
            foreach (var (jobId, value) in percent)
            {
                ranks[jobId] = value;
            }
        }
        return jobs.Select(j => ranks.TryGetValue(j.Spec.JobId, out double rank)
            ? j with { Metrics = new Dictionary<string, double?>(j.Metrics ?? new Dictionary<string, double?>()) { [Experiments.Metrics.PercentBestRank] = rank } }
            : j).ToArray();
    }
}
