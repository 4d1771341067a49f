using System.Collections.Concurrent;

namespace UnrolledGan.Grains.Storage;

/// <summary>
/// Grain states a storage found unreadable and set aside, so the grain can say what happened instead of failing
/// every call: the storage records it, the grain takes it when it activates.
/// </summary>
public sealed class DamagedStates
{
    private readonly ConcurrentDictionary<GrainId, string> _damaged = new();

    public void Record(GrainId grain, string what) => _damaged[grain] = what;

    public string? Take(GrainId grain) => _damaged.TryRemove(grain, out string? what) ? what : null;
}
