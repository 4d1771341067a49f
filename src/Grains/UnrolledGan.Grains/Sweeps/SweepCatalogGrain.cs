using Microsoft.Extensions.Logging;
using UnrolledGan.Grains.Storage;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// The cluster's list of sweeps, durable, so unfinished sweeps are found again after a restart. Its content is
/// derived from the sweeps themselves: when its stored state was damaged it starts empty and wakes every stored sweep,
/// and each one records itself again.
/// </summary>
public sealed class SweepCatalogGrain(
    [PersistentState("catalog", StorageNames.Sweeps)] IPersistentState<List<SweepEntry>> state,
    DamagedStates damaged, ISweepStateIndex index, ILogger<SweepCatalogGrain> logger) : Grain, ISweepCatalogGrain, ISweepIndexGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (damaged.Take(this.GetGrainId()) is { } what)
        {
            logger.LogError("The sweep catalog's {What}; rebuilding it from the stored sweeps", what);
            this.RegisterGrainTimer(RebuildAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
        return Task.CompletedTask;
    }

    public async Task RecordAsync(SweepEntry entry)
    {
        int index = state.State.FindIndex(e => e.Name == entry.Name);
        if (index >= 0 && state.State[index] == entry)
        {
            return;
        }
        if (index >= 0)
        {
            state.State[index] = entry;
        }
        else
        {
            state.State.Add(entry);
        }
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<SweepEntry>> ListAsync() =>
        Task.FromResult<IReadOnlyList<SweepEntry>>(state.State.OrderByDescending(e => e.CreatedAt).ToArray());

    public Task<IReadOnlyList<string>> ActiveAsync() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Where(e => e.Phase == SweepPhase.Running).Select(e => e.Name).ToArray());

    /// <summary>Wakes every stored sweep; each records itself again within a few seconds of activating.</summary>
    private async Task RebuildAsync(CancellationToken cancellation)
    {
        foreach (string name in await index.SweepNamesAsync())
        {
            await GrainFactory.GetGrain<ISweepGrain>(name).GetStatusAsync();
        }
    }
}

public static class StorageNames
{
    /// <summary>The grain storage that holds sweeps and the catalog.</summary>
    public const string Sweeps = "sweeps";
}
