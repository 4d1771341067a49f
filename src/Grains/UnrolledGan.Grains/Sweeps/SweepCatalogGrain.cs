namespace UnrolledGan.Grains.Sweeps;

/// <summary>The cluster's list of sweeps, durable, so unfinished sweeps are found again after a restart.</summary>
public sealed class SweepCatalogGrain(
    [PersistentState("catalog", StorageNames.Sweeps)] IPersistentState<List<SweepEntry>> state) : Grain, ISweepCatalogGrain, ISweepIndexGrain
{
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
}

public static class StorageNames
{
    /// <summary>The grain storage that holds sweeps and the catalog.</summary>
    public const string Sweeps = "sweeps";
}
