using Orleans.Concurrency;

namespace UnrolledGan.Grains;

/// <summary>Owns one sweep, keyed by its name: its grid, every job's state, dispatch, retries and the result table.</summary>
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Creates the sweep; submitting the same spec again resumes it, a different spec under the same name is refused.</summary>
    Task<SweepStatus> SubmitAsync(SweepSpec spec);

    /// <summary>Counts, job records and live progress; answers while other calls are in flight.</summary>
    [AlwaysInterleave]
    Task<SweepStatus?> GetStatusAsync();

    /// <summary>The mean ± standard-error table over what has finished so far, also written to the results folder.</summary>
    Task<SweepResults?> GetResultsAsync();

    /// <summary>Cancels queued jobs and kills running ones; a later submit of the same spec resumes them.</summary>
    Task CancelAsync();

    /// <summary>Hands a queued job to a worker slot on the given silo, or null when none is due.</summary>
    Task<JobLease?> LeaseJobAsync(string silo);

    /// <summary>
    /// A running job's latest progress, which also renews its lease: false means this run no longer holds the job
    /// (the sweep was cancelled, or the run was presumed lost and the job handed on), and its supervisor must stop it.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> ReportProgressAsync(JobProgress progress);

    /// <summary>One run of a job ended; the sweep records it, retries or requeues.</summary>
    Task JobEndedAsync(JobOutcome outcome);
}
