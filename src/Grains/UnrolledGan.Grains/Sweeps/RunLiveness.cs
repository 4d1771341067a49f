using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// Tells a sweep whether each running job's run is still alive: its silo is up in Orleans membership (a silo not
/// known yet gets <see cref="WorkerOptions.UnknownSiloGrace"/>), and its supervisor was heard from within
/// <see cref="WorkerOptions.RunSilenceTimeout"/>. Heartbeats come more often than that, so silence also catches a run
/// that never started or whose end could not be reported.
/// </summary>
internal sealed class RunLiveness(IClusterMembershipService membership, WorkerOptions options)
{
    private readonly Dictionary<string, DateTimeOffset> _lastHeard = [];
    private readonly DateTimeOffset _since = DateTimeOffset.UtcNow;

    public void Heard(string jobId) => _lastHeard[jobId] = DateTimeOffset.UtcNow;

    public void Forget(string jobId) => _lastHeard.Remove(jobId);

    public bool IsAlive(JobRecord job)
    {
        var now = DateTimeOffset.UtcNow;
        bool siloUp = job.Silo is { } silo && membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(silo)) switch
        {
            SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created => true,
            SiloStatus.None => job.StartedAt > now - options.UnknownSiloGrace,
            _ => false,
        };
        // A sweep that just activated has heard from nobody yet: every run gets a full timeout from then.
        var heard = _lastHeard.TryGetValue(job.Spec.JobId, out var last) ? last : _since;
        return siloUp && now - heard < options.RunSilenceTimeout;
    }
}
