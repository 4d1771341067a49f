using UnrolledGan.Grains;

namespace UnrolledGan.Web;

/// <summary>
/// When a running sweep should end: the queued jobs take the mean time of the jobs already done, spread over as many
/// slots as run now, after the running jobs' own ETAs; never before the slowest running job ends.
/// </summary>
public static class SweepEta
{
    public static double? Estimate(SweepStatus status, DateTimeOffset now)
    {
        if (status.Phase != SweepPhase.Running)
        {
            return null;
        }
        var progress = status.Progress.ToDictionary(p => p.JobId);
        double? jobSeconds = JobSeconds(status, progress.Values);
        // A running job's ETA counts down from its last report; one that has not reported yet has a whole job ahead.
        var ahead = status.Jobs.Where(j => j.Status == JobStatus.Running)
            .Select(j => progress.GetValueOrDefault(j.Spec.JobId) is { EtaSeconds: { } eta } p
                ? Math.Max(0, eta - (now - p.UpdatedAt).TotalSeconds)
                : jobSeconds)
            .ToArray();
        int queued = status.Count(JobStatus.Queued);
        if (ahead.Any(s => s is null) || (queued > 0 && jobSeconds is null))
        {
            return null;
        }
        double spread = (ahead.Sum(s => s!.Value) + queued * (jobSeconds ?? 0)) / Math.Max(1, ahead.Length);
        return Math.Max(ahead.Select(s => s!.Value).DefaultIfEmpty(0).Max(), spread);
    }

    /// <summary>Mean wall time of the jobs that succeeded, or while none has, what the running ones' rates imply.</summary>
    private static double? JobSeconds(SweepStatus status, IEnumerable<JobProgress> progress)
    {
        var finished = status.Jobs
            .Where(j => j.Status == JobStatus.Succeeded && j.StartedAt is not null && j.EndedAt is not null)
            .Select(j => (j.EndedAt!.Value - j.StartedAt!.Value).TotalSeconds)
            .ToArray();
        if (finished.Length > 0)
        {
            return finished.Average();
        }
        var implied = progress.Where(p => p.StepsPerSecond is > 0).Select(p => p.TotalSteps / p.StepsPerSecond!.Value).ToArray();
        return implied.Length > 0 ? implied.Average() : null;
    }
}
