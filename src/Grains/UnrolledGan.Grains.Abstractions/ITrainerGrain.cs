namespace UnrolledGan.Grains;

/// <summary>
/// The handle of exactly one run of one job, a Trainer child process on its silo, keyed by <see cref="JobLease.TrainerKey"/>.
/// </summary>
[SiloOnly]
public interface ITrainerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the trainer process in the worker slot this silo reserved for the lease and returns at once; the run is
    /// followed until its process exits, the slot is freed, and the outcome reported to the sweep.
    /// </summary>
    Task StartAsync(JobLease lease);

    /// <summary>Kills the job's whole process tree.</summary>
    Task CancelAsync();
}
