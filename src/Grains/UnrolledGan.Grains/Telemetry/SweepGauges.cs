using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Grains.Telemetry;

/// <summary>One sweep activation's contribution to the queued and running gauges, withdrawn when it deactivates.</summary>
internal sealed class SweepGauges(SweepMetrics metrics)
{
    private long _queued;

    public void Update(SweepState state)
    {
        long queued = state.Phase == SweepPhase.Running ? state.Jobs.Count(j => j.Status == JobStatus.Queued) : 0;
        metrics.Queued(queued - _queued);
        _queued = queued;
    }

    public void Clear() => Update(new SweepState { Phase = SweepPhase.Completed });
}
