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

    /// <summary>Why the job's run is lost, or null while it lives.</summary>
    public string? WhyLost(JobRecord job)
    {
        var now = DateTimeOffset.UtcNow;
        if (job.Silo is not { } silo)
        {
            return "it was leased to no silo";
        }
        var status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(silo));
        string? siloGone = status switch
        {
            SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created => null,
            SiloStatus.None when job.StartedAt > now - options.UnknownSiloGrace => null,
            SiloStatus.None => $"its silo is not in the cluster's membership after {options.UnknownSiloGrace}",
            SiloStatus.Dead => "its silo was declared dead",
            _ => $"its silo is {status.ToString().ToLowerInvariant()} and did not report the run's end",
        };
        if (siloGone is not null)
        {
            return siloGone;
        }
        // A sweep that just activated has heard from nobody yet: every run gets a full timeout from then.
        var heard = _lastHeard.TryGetValue(job.Spec.JobId, out var last) ? last : _since;
        return now - heard < options.RunSilenceTimeout ? null : $"nothing was heard of it for {options.RunSilenceTimeout}";
    }
}
