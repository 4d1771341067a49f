using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// The handle of one run of one job on the silo that leased it. Starting it launches the Trainer as a child process,
/// never inside the silo, so a native abort ends the job and not the silo. The run is supervised by this silo's
/// <see cref="TrainerRunner"/> rather than by the activation, so it outlives the activation: when a silo dies, the
/// activations whose directory entries it held can be invalidated while their processes train on.
/// Nothing in a lease is taken on trust: the run must hold the slot this silo reserved for it, the sweep must
/// confirm the lease's token, and the job's folder must lie inside the results folder.
/// </summary>
[PreferLocalPlacement]
public sealed class TrainerGrain(TrainerRunner runner, WorkerSlots slots, ILocalSiloDetails silo, IOptions<ResultsOptions> results)
    : Grain, ITrainerGrain
{
    public async Task StartAsync(JobLease lease)
    {
        if (lease.TrainerKey != this.GetPrimaryKeyString() || lease.Silo != silo.SiloAddress.ToParsableString())
        {
            throw new InvalidOperationException($"run {lease.TrainerKey} was leased to {lease.Silo}, not to this silo's trainer {this.GetPrimaryKeyString()}");
        }
        string folder = results.Value.JobFolder(lease.Spec.SweepName, lease.Spec.JobId);
        var slot = slots.AssignedTo(lease.TrainerKey)
            ?? throw new InvalidOperationException($"run {lease.TrainerKey} holds no worker slot on this silo");
        if (!await GrainFactory.GetGrain<ISweepWorkGrain>(lease.Spec.SweepName).HoldsAsync(lease.Spec.JobId, lease.Token))
        {
            throw new InvalidOperationException($"sweep {lease.Spec.SweepName} does not know this lease of job {lease.Spec.JobId}");
        }
        runner.Start(lease, slot, folder);
    }

    public Task CancelAsync()
    {
        runner.Cancel(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}
