using System.Security.Cryptography;
using System.Text;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// The job state machine of one sweep, free of Orleans so it can be tested alone. A job is leased to one slot at a
/// time, under a fresh unguessable token; only reports carrying the token of the lease that holds the job count. A run
/// that ends is recorded once; a run lost with its silo, interrupted or refused as busy goes back to the queue without
/// spending the retry budget; a failure spends one retry.
/// </summary>
public sealed class SweepBook(List<JobRecord> jobs, int retries, int concurrency, SweepDispatch dispatch = SweepDispatch.LongestFirst)
{
    /// <summary>
    /// A job refused as busy waits this long before it is handed out again: another trainer still holds its folder
    /// (one a cut-off silo has yet to stop), and trying at once would only start and stop trainers in a loop.
    /// </summary>
    public static readonly TimeSpan BusyBackoff = TimeSpan.FromSeconds(10);

    private readonly JobCosts _costs = new();
    private IReadOnlyDictionary<string, double>? _estimate;
    private int _estimatedAfter = -1;

    public IReadOnlyList<JobRecord> Jobs => jobs;

    public int Running => jobs.Count(j => j.Status == JobStatus.Running);

    public bool AllEnded => jobs.All(j => j.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled);

    /// <summary>
    /// The next job due, marked running on the silo, or null when none is: the longest expected first
    /// (<see cref="JobCosts"/>; ties in grid order), or the first in grid order.
    /// </summary>
    public JobLease? Lease(string silo, string? traceParent, DateTimeOffset now)
    {
        if (concurrency > 0 && Running >= concurrency)
        {
            return null;
        }
        int index = dispatch == SweepDispatch.GridOrder ? jobs.FindIndex(j => Due(j, now)) : Longest(now);
        if (index < 0)
        {
            return null;
        }
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var job = jobs[index] with
        {
            Status = JobStatus.Running, Silo = silo, StartedAt = now, Starts = jobs[index].Starts + 1, NotBefore = null, LeaseToken = token,
        };
        jobs[index] = job;
        return new JobLease(job.Spec, job.Starts, silo, traceParent, now, token, job.LostRuns);
    }

    private static bool Due(JobRecord job, DateTimeOffset now) => job.Status == JobStatus.Queued && (job.NotBefore is null || job.NotBefore <= now);

    private int Longest(DateTimeOffset now)
    {
        // Estimated again only when a job has finished since: that is what refines it.
        int succeeded = jobs.Count(j => j.Status == JobStatus.Succeeded);
        if (_estimate is null || succeeded != _estimatedAfter)
        {
            (_estimate, _estimatedAfter) = (_costs.Estimate(jobs), succeeded);
        }
        int best = -1;
        for (int i = 0; i < jobs.Count; i++)
        {
            if (Due(jobs[i], now) && (best < 0 || _estimate[jobs[i].Spec.JobId] > _estimate[jobs[best].Spec.JobId]))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>Whether the lease with this token holds the job now: the job runs under it.</summary>
    public bool Holds(string jobId, string token) =>
        jobs.Any(j => j.Spec.JobId == jobId && j.Status == JobStatus.Running && j.LeaseToken is { } current
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(current), Encoding.ASCII.GetBytes(token)));

    /// <summary>
    /// Records how a run ended. False when the outcome does not count: its lease no longer holds the job (it was
    /// presumed lost and handed on, or cancelled), or it carries no valid token. A stale run's success is not lost
    /// work: its result file stays in the job's folder, and the run that holds the job finds it and reports it.
    /// </summary>
    public bool End(JobOutcome outcome, DateTimeOffset now)
    {
        int index = jobs.FindIndex(j => j.Spec.JobId == outcome.JobId);
        if (index < 0 || !Holds(outcome.JobId, outcome.Token))
        {
            return false;
        }
        var job = jobs[index] with { LeaseToken = null };
        jobs[index] = outcome.Exit switch
        {
            // A rerun would read the same result file, so this fails at once rather than spending retries.
            JobExit.Succeeded when outcome.Ran is { } ran && ran != job.Spec.Point => job with
            {
                Status = JobStatus.Failed, FailedAttempts = job.FailedAttempts + 1, EndedAt = now, Silo = outcome.Silo,
                FailureReason = $"the trainer's result is of {ran}, not of this job's {job.Spec.Point}: the config in its " +
                    $"{TrainerProtocol.Files.Result} is not the one the sweep planned, so it is kept out of the table",
            },
            JobExit.Succeeded => job with
            {
                Ran = outcome.Ran,
                Status = JobStatus.Succeeded, Metrics = outcome.Metrics, TrainSeconds = outcome.TrainSeconds,
                Silo = outcome.Silo, EndedAt = now, FailureReason = null, Versions = outcome.Versions,
            },
            JobExit.Interrupted or JobExit.NotStarted => job with { Status = JobStatus.Queued, Silo = null },
            JobExit.Busy => job with { Status = JobStatus.Queued, Silo = null, NotBefore = now + BusyBackoff },
            JobExit.Cancelled => job with { Status = JobStatus.Cancelled, EndedAt = now, FailureReason = "cancelled" },
            JobExit.BadInput => job with
            {
                Status = JobStatus.Failed, FailedAttempts = job.FailedAttempts + 1, FailureReason = outcome.FailureReason, EndedAt = now,
            },
            _ => job.FailedAttempts < retries
                ? job with { Status = JobStatus.Queued, FailedAttempts = job.FailedAttempts + 1, FailureReason = outcome.FailureReason, Silo = null }
                : job with
                {
                    Status = JobStatus.Failed, FailedAttempts = job.FailedAttempts + 1, FailureReason = outcome.FailureReason, EndedAt = now,
                },
        };
        return true;
    }

    /// <summary>
    /// Queues again every running job whose run is lost (<paramref name="whyLost"/> says why, or null while it lives):
    /// its silo is gone and its process died with it (the trainer's watchdog), or it fell silent. The job keeps a
    /// record of the lost run, which its next lease carries to the job folder's run record.
    /// </summary>
    public IReadOnlyList<string> RequeueLost(Func<JobRecord, string?> whyLost, DateTimeOffset now)
    {
        var lost = new List<string>();
        for (int i = 0; i < jobs.Count; i++)
        {
            if (jobs[i].Status == JobStatus.Running && whyLost(jobs[i]) is { } reason)
            {
                var job = jobs[i];
                lost.Add(job.Spec.JobId);
                var run = new LostRun(job.Starts, job.Silo ?? "", job.StartedAt ?? now, now, reason);
                jobs[i] = job with { Status = JobStatus.Queued, Silo = null, LeaseToken = null, LostRuns = [.. job.LostRuns ?? [], run] };
            }
        }
        return lost;
    }

    /// <summary>Cancels every unfinished job; returns the leases of the running ones, whose processes the caller must kill.</summary>
    public IReadOnlyList<JobLease> Cancel(DateTimeOffset now)
    {
        var running = jobs.Where(j => j.Status == JobStatus.Running)
            .Select(j => new JobLease(j.Spec, j.Starts, j.Silo ?? "", null, j.StartedAt ?? now, j.LeaseToken ?? ""))
            .ToArray();
        for (int i = 0; i < jobs.Count; i++)
        {
            if (jobs[i].Status is JobStatus.Queued or JobStatus.Running)
            {
                jobs[i] = jobs[i] with { Status = JobStatus.Cancelled, EndedAt = now, FailureReason = "cancelled", LeaseToken = null };
            }
        }
        return running;
    }

    /// <summary>
    /// A spec submitted again under the sweep's name: the same spec (by fingerprint) expanding to the same jobs resumes
    /// the sweep, and cancelled jobs go back to the queue; anything else is another sweep, refused. Job ids hash each
    /// job's full config, so a preset that changed between versions also counts as different.
    /// </summary>
    public bool Resubmit(string name, bool sameSpec, IReadOnlyList<JobSpec> expanded)
    {
        if (!sameSpec || !jobs.Select(j => j.Spec.JobId).SequenceEqual(expanded.Select(j => j.JobId)))
        {
            throw new SweepSpecException("name", $"a sweep named '{name}' already exists with a different spec or job configs; choose another name (--name)");
        }
        return Reopen();
    }

    /// <summary>Cancelled jobs go back to the queue; finished ones stay finished.</summary>
    private bool Reopen()
    {
        bool reopened = false;
        for (int i = 0; i < jobs.Count; i++)
        {
            if (jobs[i].Status == JobStatus.Cancelled)
            {
                jobs[i] = jobs[i] with { Status = JobStatus.Queued, EndedAt = null, FailureReason = null };
                reopened = true;
            }
        }
        return reopened;
    }
}
