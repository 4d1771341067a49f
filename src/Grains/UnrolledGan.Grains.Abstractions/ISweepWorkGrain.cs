using Orleans.Concurrency;

namespace UnrolledGan.Grains;

/// <summary>
/// The same sweep as its workers see it: leases, and reports from the runs that hold them. Each lease carries an
/// unguessable token; a report is accepted only with the token of the run that holds the job now.
/// </summary>
[SiloOnly]
public interface ISweepWorkGrain : IGrainWithStringKey
{
    /// <summary>Hands a queued job to a worker slot on the given silo, or null when none is due.</summary>
    Task<JobLease?> LeaseJobAsync(string silo);

    /// <summary>
    /// A running job's latest progress, which also renews its lease: false means this run no longer holds the job
    /// (the sweep was cancelled, or the run was presumed lost and the job handed on), and its supervisor must stop it.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> ReportProgressAsync(JobProgress progress);

    /// <summary>Whether the lease with this token is the one that holds the job now.</summary>
    [AlwaysInterleave]
    Task<bool> HoldsAsync(string jobId, string token);

    /// <summary>One run of a job ended; the sweep records it, retries or requeues.</summary>
    Task JobEndedAsync(JobOutcome outcome);
}
