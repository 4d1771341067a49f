using Orleans.Concurrency;

namespace UnrolledGan.Grains;

/// <summary>Every sweep the cluster knows (a single grain, key 0), for listing.</summary>
public interface ISweepCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>All sweeps, newest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SweepEntry>> ListAsync();
}

/// <summary>The catalog as sweeps and workers use it: sweeps record themselves, workers find the unfinished ones.</summary>
[SiloOnly]
public interface ISweepIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or updates a sweep's entry.</summary>
    Task RecordAsync(SweepEntry entry);

    /// <summary>Names of the sweeps that still have jobs to run.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ActiveAsync();
}
