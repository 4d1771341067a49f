using Orleans.Concurrency;

namespace UnrolledGan.Grains;

/// <summary>A sweep as clients see it, keyed by its name: submit it, follow it, read its table, cancel it.</summary>
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
}
