using Orleans.Concurrency;

namespace UnrolledGan.Grains;

/// <summary>Every sweep the cluster knows (a single grain, key 0), so workers find unfinished sweeps after a restart.</summary>
public interface ISweepCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or updates a sweep's entry.</summary>
    Task RecordAsync(SweepEntry entry);

    /// <summary>All sweeps, newest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SweepEntry>> ListAsync();

    /// <summary>Names of the sweeps that still have jobs to run.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ActiveAsync();
}
