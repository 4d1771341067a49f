using System.Diagnostics.Metrics;
using UnrolledGan.Grains.Telemetry;

namespace UnrolledGan.Grains.Tests;

/// <summary>What each of the meter's counts and samples means: jobs, not runs; retries apart; durations only of runs that ended.</summary>
public sealed class SweepMetricsTests : IDisposable
{
    private readonly Meters _meters = new();
    private readonly MeterReadings _readings;
    private readonly SweepMetrics _metrics;

    public SweepMetricsTests()
    {
        _readings = new MeterReadings(_meters);
        _metrics = new SweepMetrics(_meters);
    }

    [Fact]
    public void EveryCountIsReportedAtZeroBeforeAnyJobEnds()
    {
        foreach (string count in new[] { "unrolledgan.jobs.succeeded", "unrolledgan.jobs.failed", "unrolledgan.job.retries",
                     "unrolledgan.jobs.queued", "unrolledgan.jobs.running" })
        {
            _readings.Observe(count).ShouldBe(0, count);
        }
    }

    [Fact]
    public void AFailedRunQueuedAgainIsARetryAndOnlyTheJobFailedForGoodIsAFailedJob()
    {
        _metrics.JobEnded(JobExit.Failed, JobStatus.Queued);
        _metrics.JobEnded(JobExit.Failed, JobStatus.Queued);
        _metrics.JobEnded(JobExit.Failed, JobStatus.Failed);
        _metrics.JobEnded(JobExit.BadInput, JobStatus.Failed);
        _metrics.JobEnded(JobExit.Succeeded, JobStatus.Succeeded);

        _readings.Observe("unrolledgan.job.retries").ShouldBe(2);
        _readings.Observe("unrolledgan.jobs.failed").ShouldBe(2);
        _readings.Observe("unrolledgan.jobs.succeeded").ShouldBe(1);
    }

    [Theory]
    [InlineData(JobExit.Interrupted, JobStatus.Queued)]
    [InlineData(JobExit.Busy, JobStatus.Queued)]
    [InlineData(JobExit.NotStarted, JobStatus.Queued)]
    [InlineData(JobExit.Cancelled, JobStatus.Cancelled)]
    public void ARunStoppedOnPurposeCountsNowhere(JobExit exit, JobStatus status)
    {
        _metrics.JobEnded(exit, status);

        foreach (string count in new[] { "unrolledgan.jobs.succeeded", "unrolledgan.jobs.failed", "unrolledgan.job.retries" })
        {
            _readings.Observe(count).ShouldBe(0, count);
        }
    }

    [Fact]
    public void OnlyRunsThatEndedAreDurationSamplesTaggedWithTheirOutcome()
    {
        foreach (var exit in Enum.GetValues<JobExit>())
        {
            _metrics.RunEnded(exit, TimeSpan.FromSeconds(10 + (int)exit));
        }

        (double Seconds, string? Outcome)[] expected =
        [
            (10 + (int)JobExit.Succeeded, "succeeded"), (10 + (int)JobExit.Failed, "failed"), (10 + (int)JobExit.BadInput, "failed"),
        ];
        _readings.Samples("unrolledgan.job.duration").ShouldBe(expected, ignoreOrder: true);
    }

    [Fact]
    public void DurationBucketsRiseFromASecondToADay()
    {
        var buckets = SweepMetrics.DurationBuckets;

        buckets[0].ShouldBe(1);
        buckets[^1].ShouldBe(TimeSpan.FromDays(1).TotalSeconds);
        buckets.Zip(buckets.Skip(1)).ShouldAllBe(pair => pair.First < pair.Second);
    }

    [Fact]
    public void QueuedAndRunningAddUpTheirChanges()
    {
        _metrics.Queued(3);
        _metrics.Queued(-1);
        _metrics.Running(1);

        _readings.Observe("unrolledgan.jobs.queued").ShouldBe(2);
        _readings.Observe("unrolledgan.jobs.running").ShouldBe(1);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _readings.Dispose();
    }

    /// <summary>A meter factory of the test's own, so that the readings hear this test's meter only.</summary>
    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options.Name, options.Version, options.Tags, scope: this);

        public void Dispose()
        {
        }
    }
}
