using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace UnrolledGan.Grains.Telemetry;

/// <summary>
/// The project's own meter. Every metric name is defined here and nowhere else. Counts are observed rather than added
/// to, so every series exists from the silo's start: a panel shows 0 before the first failure, not "no data" (an
/// Add(0) here could run before an exporter listens, and be lost).
/// </summary>
public sealed class SweepMetrics : IDisposable
{
    /// <summary>Upper bounds of the run-duration buckets, in seconds: a second to a day, about doubling, as jobs range.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, double> _rates = new();
    private long _queued;
    private long _running;
    private long _succeeded;
    private long _failed;
    private long _retries;

    public SweepMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(TelemetryNames.Meter);
        _meter.CreateObservableUpDownCounter("unrolledgan.jobs.queued", () => Interlocked.Read(ref _queued),
            description: "Jobs waiting for a worker slot");
        _meter.CreateObservableUpDownCounter("unrolledgan.jobs.running", () => Interlocked.Read(ref _running),
            description: "Jobs whose trainer is running");
        _meter.CreateObservableCounter("unrolledgan.jobs.succeeded", () => Interlocked.Read(ref _succeeded),
            description: "Jobs that finished with a result");
        _meter.CreateObservableCounter("unrolledgan.jobs.failed", () => Interlocked.Read(ref _failed),
            description: "Jobs failed for good: their retries spent, or their config rejected");
        _meter.CreateObservableCounter("unrolledgan.job.retries", () => Interlocked.Read(ref _retries),
            description: "Failed runs whose job was queued again, each spending one retry");
        _duration = _meter.CreateHistogram("unrolledgan.job.duration", unit: "s",
            description: "Wall time of a trainer run that ended, succeeded or failed (tag outcome)", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
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

    public void Queued(long delta) => Interlocked.Add(ref _queued, delta);

    public void Running(long delta) => Interlocked.Add(ref _running, delta);

    /// <summary>
    /// A run's end as its sweep recorded it. The job's status after it tells a retry (queued again after a failure)
    /// from a job failed for good; an interrupted, refused or cancelled run counts nowhere.
    /// </summary>
    public void JobEnded(JobExit exit, JobStatus status)
    {
        if (status == JobStatus.Succeeded)
        {
            Interlocked.Increment(ref _succeeded);
        }
        else if (status == JobStatus.Failed)
        {
            Interlocked.Increment(ref _failed);
        }
        else if (status == JobStatus.Queued && exit == JobExit.Failed)
        {
            Interlocked.Increment(ref _retries);
        }
    }

    /// <summary>
    /// A trainer process ended. Only a run that ran to its end, a result or a failure, is a duration sample: one that
    /// was interrupted, refused, cancelled or handed on stopped part way, and its wall time says nothing about jobs.
    /// </summary>
    public void RunEnded(JobExit exit, TimeSpan wall)
    {
        string? outcome = exit switch
        {
            JobExit.Succeeded => "succeeded",
            JobExit.Failed or JobExit.BadInput => "failed",
            _ => null,
        };
        if (outcome is not null)
        {
            _duration.Record(wall.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void StepsPerSecond(string jobId, double rate) => _rates[jobId] = rate;

    /// <summary>The job's process ended: it no longer has a rate.</summary>
    public void Stopped(string jobId) => _rates.TryRemove(jobId, out _);

    public void Dispose() => _meter.Dispose();
}
