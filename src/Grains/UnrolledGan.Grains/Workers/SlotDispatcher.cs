using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// Fills this silo's free worker slots: it asks the unfinished sweeps for queued jobs and starts each on a local
/// trainer grain. Silos pull work, so a job only ever goes to a silo with a free slot, and a silo that joins takes
/// jobs at once. It asks whenever a slot frees, and at the poll interval for new sweeps.
/// </summary>
public sealed class SlotDispatcher(
    IGrainFactory grains, WorkerSlots slots, TrainerRunner runner, ILocalSiloDetails silo,
    IOptions<WorkerOptions> options, ILogger<SlotDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan StartBackoff = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        slots.Released += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await FillSlotsAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Dispatch round failed; trying again");
                }
                await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            slots.Released -= Wake;
        }
    }

    private void Wake() => _wake.Release();

    private async Task FillSlotsAsync(CancellationToken stoppingToken)
    {
        if (slots.Busy >= slots.Capacity)
        {
            return;
        }
        string self = silo.SiloAddress.ToParsableString();
        var sweeps = await grains.GetGrain<ISweepIndexGrain>(0).ActiveAsync();
        foreach (string name in sweeps)
        {
            var sweep = grains.GetGrain<ISweepWorkGrain>(name);
            while (!stoppingToken.IsCancellationRequested && !runner.Stopping && slots.TryReserve() is { } slot)
            {
                JobLease? lease;
                try
                {
                    lease = await sweep.LeaseJobAsync(self);
                }
                catch
                {
                    slots.Return(slot);
                    throw;
                }
                if (lease is null)
                {
                    slots.Return(slot);
                    break;
                }
                if (!await StartAsync(sweep, lease, slot))
                {
                    // The cluster is changing (a silo left and is not yet declared dead): back off, then try again.
                    await Task.Delay(StartBackoff, stoppingToken);
                    return;
                }
            }
        }
    }

    /// <summary>Starts the leased job on a local trainer grain; a run that could not start goes back to the queue.</summary>
    private async Task<bool> StartAsync(ISweepWorkGrain sweep, JobLease lease, WorkerSlot slot)
    {
        try
        {
            slots.Assign(slot, lease.TrainerKey);
            await grains.GetGrain<ITrainerGrain>(lease.TrainerKey).StartAsync(lease);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Job {JobId} could not start; it goes back to the queue", lease.Spec.JobId);
            slots.Return(slot);
            await sweep.JobEndedAsync(new JobOutcome(lease.Spec.JobId, JobExit.NotStarted, $"could not start: {e.Message}",
                null, null, lease.Silo, -1, lease.Attempt, lease.Token));
            return false;
        }
    }
}
