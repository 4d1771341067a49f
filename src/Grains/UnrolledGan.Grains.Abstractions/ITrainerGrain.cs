namespace UnrolledGan.Grains;

/// <summary>
/// The handle of exactly one run of one job, a Trainer child process on its silo, keyed by <see cref="JobLease.TrainerKey"/>.
/// </summary>
public interface ITrainerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the trainer process in the given worker slot of this silo and returns at once; the grain follows the
    /// process, frees the slot when it exits, and reports the outcome to the sweep.
    /// </summary>
    Task StartAsync(JobLease lease, int slot);

    /// <summary>Kills the job's whole process tree.</summary>
    Task CancelAsync();
}
