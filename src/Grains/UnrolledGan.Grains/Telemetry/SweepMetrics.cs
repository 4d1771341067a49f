using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace UnrolledGan.Grains.Telemetry;

/// <summary>The project's own meter and activity source. Every metric name is defined here and nowhere else.</summary>
public sealed class SweepMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly UpDownCounter<long> _queued;
    private readonly UpDownCounter<long> _running;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, double> _rates = new();

    public SweepMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(TelemetryNames.Meter);
        _queued = _meter.CreateUpDownCounter<long>("unrolledgan.jobs.queued", description: "Jobs waiting for a worker slot");
        _running = _meter.CreateUpDownCounter<long>("unrolledgan.jobs.running", description: "Jobs whose trainer is running");
        _succeeded = _meter.CreateCounter<long>("unrolledgan.jobs.succeeded", description: "Jobs that finished with a result");
        _failed = _meter.CreateCounter<long>("unrolledgan.jobs.failed", description: "Job runs that failed");
        _duration = _meter.CreateHistogram<double>("unrolledgan.job.duration", unit: "s", description: "Wall time of one job run");
        _meter.CreateObservableGauge("unrolledgan.training.steps_per_second",
            () => _rates.Select(r => new Measurement<double>(r.Value, new KeyValuePair<string, object?>("job_id", r.Key))),
            description: "Latest training rate of each running job");
    }

    /// <summary>This silo's worker slots, observed at each collection.</summary>
    public void ObserveSlots(Func<int> capacity, Func<int> busy)
    {
        _meter.CreateObservableGauge("unrolledgan.worker.slots", capacity, description: "Worker slots this silo offers");
        _meter.CreateObservableGauge("unrolledgan.worker.slots_busy", busy, description: "Worker slots running a job");
    }

    public void Queued(long delta) => _queued.Add(delta);

    public void Running(long delta) => _running.Add(delta);

    public void Succeeded() => _succeeded.Add(1);

    public void Failed() => _failed.Add(1);

    public void Duration(TimeSpan wall) => _duration.Record(wall.TotalSeconds);

    public void StepsPerSecond(string jobId, double rate) => _rates[jobId] = rate;

    /// <summary>The job's process ended: it no longer has a rate.</summary>
    public void Stopped(string jobId) => _rates.TryRemove(jobId, out _);

    public void Dispose() => _meter.Dispose();
}
