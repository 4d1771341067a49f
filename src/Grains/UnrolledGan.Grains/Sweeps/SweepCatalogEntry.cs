using Microsoft.Extensions.Logging;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// One sweep's line in the catalog, kept up to date on a best-effort basis: the catalog is for listing and for
/// finding unfinished sweeps, so a sweep that cannot reach it goes on and tries again on its timer.
/// </summary>
internal sealed class SweepCatalogEntry
{
    private SweepEntry? _pending;

    public static SweepEntry Of(string name, SweepState state) => new(name, state.Spec!.Experiment, state.Phase, state.Jobs.Count,
        state.Jobs.Count(j => j.Status == JobStatus.Succeeded), state.Jobs.Count(j => j.Status == JobStatus.Failed), state.CreatedAt);

    /// <summary>Keeps the entry for the next <see cref="CatchUpAsync"/>.</summary>
    public void Remember(SweepEntry entry) => _pending = entry;

    /// <summary>Records the entry now, or keeps it for <see cref="CatchUpAsync"/> when the catalog does not answer.</summary>
    public Task RecordAsync(IGrainFactory grains, SweepEntry entry, ILogger logger)
    {
        _pending = entry;
        return CatchUpAsync(grains, logger);
    }

    public async Task CatchUpAsync(IGrainFactory grains, ILogger logger)
    {
        if (_pending is not { } entry)
        {
            return;
        }
        try
        {
            await grains.GetGrain<ISweepIndexGrain>(0).RecordAsync(entry);
            _pending = null;
        }
        catch (Exception e)
        {
            logger.LogWarning("Sweep {Sweep}: the catalog could not be updated ({Problem}); trying again shortly", entry.Name, e.Message);
        }
    }
}
