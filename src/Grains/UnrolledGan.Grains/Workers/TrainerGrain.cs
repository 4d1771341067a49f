using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// The handle of one run of one job on the silo that leased it. Starting it launches the Trainer as a child process,
/// never inside the silo, so a native abort ends the job and not the silo. The run is supervised by this silo's
/// <see cref="TrainerRunner"/> rather than by the activation, so it outlives the activation: when a silo dies, the
/// activations whose directory entries it held can be invalidated while their processes train on.
/// </summary>
[PreferLocalPlacement]
public sealed class TrainerGrain(TrainerRunner runner, ILocalSiloDetails silo, IOptions<ResultsOptions> results) : Grain, ITrainerGrain
{
    public Task StartAsync(JobLease lease, int slot)
    {
        if (lease.Silo != silo.SiloAddress.ToParsableString())
        {
            throw new InvalidOperationException($"job {lease.Spec.JobId} was leased to {lease.Silo}, not to this silo");
        }
        runner.Start(lease, slot, results.Value.JobFolder(lease.Spec.SweepName, lease.Spec.JobId));
        return Task.CompletedTask;
    }

    public Task CancelAsync()
    {
        runner.Cancel(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}
