using System.Diagnostics;
using System.Text.Json;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>The orchestration on a real in-process Orleans cluster, with real trainer processes.</summary>
public sealed class SweepGrainTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task EveryJobRunsExactlyOnceAcrossTwoSilosAndTheTableAggregatesTheirResults()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 2, slotsPerSilo: 1);
        var spec = SweepCluster.Spec("once", steps: 300, unroll: [0, 1], seeds: [0, 1]);

        await cluster.Sweep("once").SubmitAsync(spec);
        var status = await cluster.WaitForAsync("once", s => s.Phase == SweepPhase.Completed, Timeout);

        status.Jobs.Count.ShouldBe(4);
        status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded && j.Starts == 1 && j.FailedAttempts == 0);
        var results = status.Jobs.ToDictionary(j => j.Spec.JobId, j => ReadResult(cluster, j));
        results.Values.ShouldAllBe(r => r.Timings.ResumedFromStep == 0);
        results.ShouldAllBe(r => r.Value.JobId == r.Key);
        // Each job records the point of the config its trainer resolved and ran, read from its result file.
        status.Jobs.ShouldAllBe(j => j.Ran == new GridPoint(results[j.Spec.JobId].Config.Unroll, results[j.Spec.JobId].Config.DiscriminatorSize,
            results[j.Spec.JobId].Config.Seed) && j.Ran == j.Spec.Point);

        // The table's cells against the result files, averaged by hand.
        var table = (await cluster.Sweep("once").GetResultsAsync())!.Table;
        foreach (int k in new[] { 0, 1 })
        {
            var values = status.Jobs.Where(j => j.Spec.Unroll == k).Select(j => results[j.Spec.JobId].Metrics["highQualityFraction"]!.Value).ToArray();
            double mean = values.Average();
            double se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
            var cell = table.Rows.Single(r => r.Metric == "highQualityFraction").Cells.Single(c => c.Unroll == k);
            cell.N.ShouldBe(2);
            cell.Mean!.Value.ShouldBe(mean, 1e-12);
            cell.StandardError!.Value.ShouldBe(se, 1e-12);
        }
        File.Exists(Path.Combine(cluster.Results, "once", "table.md")).ShouldBeTrue();

        // A report file lost since is written again by the next results call.
        File.Delete(Path.Combine(cluster.Results, "once", "table.md"));
        (await cluster.Sweep("once").GetResultsAsync())!.Files.ShouldContain(Path.Combine(cluster.Results, "once", "table.md"));
        File.Exists(Path.Combine(cluster.Results, "once", "table.md")).ShouldBeTrue();
        await cluster.WaitForFreeSlotsAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AKilledTrainerIsRetriedAndResumesFromItsCheckpoint()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1);
        await cluster.Sweep("retry").SubmitAsync(SweepCluster.Spec("retry", steps: 3000, unroll: [0], seeds: [0]));
        await cluster.WaitForAsync("retry", s => s.Progress.Any(p => p.Step >= 600), Timeout);

        KillTrainers(cluster);
        var status = await cluster.WaitForAsync("retry", s => s.Phase == SweepPhase.Completed, Timeout);

        var job = status.Jobs.Single();
        job.Status.ShouldBe(JobStatus.Succeeded);
        job.FailedAttempts.ShouldBe(1);
        job.Starts.ShouldBe(2);
        ReadResult(cluster, job).Timings.ResumedFromStep.ShouldBeGreaterThanOrEqualTo(500);
    }

    [Fact]
    public async Task AStalledTrainerIsKilledAndRetriedAlthoughItsProcessStillLives()
    {
        // Heartbeats are sent once a second, so only the stall check can notice that no step goes by. The timeout
        // leaves the retried run time to load libtorch and its checkpoint on a loaded machine before its first step.
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, settings: new Dictionary<string, string?>
        {
            ["Workers:StallTimeout"] = "00:00:20", ["Workers:HeartbeatPeriod"] = "00:00:01",
        });
        await cluster.Sweep("stall").SubmitAsync(SweepCluster.Spec("stall", steps: 1500, unroll: [0], seeds: [0]));
        await cluster.WaitForAsync("stall", s => s.Progress.Any(p => p.Step >= 300), Timeout);

        int stopped = cluster.Workers.Single().Runner.ProcessIds.Single();
        Process.Start("kill", ["-STOP", stopped.ToString()])!.WaitForExit();
        var status = await cluster.WaitForAsync("stall", s => s.Phase == SweepPhase.Completed, Timeout);

        var job = status.Jobs.Single();
        job.Status.ShouldBe(JobStatus.Succeeded);
        (job.FailedAttempts, job.Starts).ShouldBe((1, 2));
        IsRunning(stopped).ShouldBeFalse();
        ReadResult(cluster, job).Timings.ResumedFromStep.ShouldBeGreaterThanOrEqualTo(250);
        string runs = File.ReadAllText(Path.Combine(cluster.Results, "stall", "jobs", job.Spec.JobId, "runs.jsonl"));
        runs.ShouldContain("\"exit\":\"Failed\"");
    }

    [Fact]
    public async Task DamagedFilesInAJobsFolderAreSetAsideRecordedAndCostNoRetry()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1);
        var spec = SweepCluster.Spec("damaged", steps: 300, unroll: [0], seeds: [0], retries: 0);
        string folder = Path.Combine(cluster.Results, "damaged", "jobs", SweepPlanner.Expand(spec, maxJobs: 1).Single().JobId);
        Directory.CreateDirectory(folder);
        // Before the checksums and the set-aside, either file failed every run of the job with exit 1.
        File.WriteAllText(Path.Combine(folder, "result.json"), "{\"jobId\": \"cut sho");
        File.WriteAllBytes(Path.Combine(folder, "checkpoint.bin"), [.. "UGCK"u8, 2, 0, 0, 0, 9, 9, 9]);

        await cluster.Sweep("damaged").SubmitAsync(spec);
        var status = await cluster.WaitForAsync("damaged", s => s.Phase == SweepPhase.Completed, Timeout);

        var job = status.Jobs.Single();
        (job.Status, job.Starts, job.FailedAttempts).ShouldBe((JobStatus.Succeeded, 1, 0));
        ReadResult(cluster, job).Timings.ResumedFromStep.ShouldBe(0);
        Directory.GetFiles(folder, "result.json.corrupt-*").ShouldHaveSingleItem();
        Directory.GetFiles(folder, "checkpoint.bin.corrupt-*").ShouldHaveSingleItem();
        var record = JsonDocument.Parse(File.ReadLines(Path.Combine(folder, "runs.jsonl")).Single()).RootElement;
        var recovered = record.GetProperty("recovered").EnumerateArray().Select(r => r.GetString()!).ToArray();
        recovered.Length.ShouldBe(2);
        recovered[0].ShouldStartWith("result.json is damaged");
        recovered[1].ShouldStartWith("checkpoint.bin is damaged: it ends early");
    }

    [Fact]
    public async Task AJobThatKeepsFailingEndsFailedWithItsReasonAndIsCountedInTheTableAndTheMetrics()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1);
        using var readings = new MeterReadings(cluster.Meters());
        await cluster.Sweep("fail").SubmitAsync(SweepCluster.Spec("fail", steps: 100_000, unroll: [0], seeds: [0], retries: 1));
        await cluster.WaitForAsync("fail", s => s.Progress.Any(p => p.Step >= 100), Timeout);

        KillTrainers(cluster);
        await cluster.WaitForAsync("fail", s => s.Jobs.Single().Starts == 2 && s.Progress.Any(p => p.Step >= 100), Timeout);
        readings.Observe("unrolledgan.job.retries").ShouldBe(1);
        readings.Observe("unrolledgan.jobs.failed").ShouldBe(0);
        KillTrainers(cluster);
        var status = await cluster.WaitForAsync("fail", s => s.Phase == SweepPhase.Completed, Timeout);

        var job = status.Jobs.Single();
        (job.Status, job.FailedAttempts).ShouldBe((JobStatus.Failed, 2));
        job.FailureReason.ShouldNotBeNull().ShouldContain("exit code 137");
        var table = (await cluster.Sweep("fail").GetResultsAsync())!.Table;
        table.Rows[0].Cells.Single().Failed.ShouldBe(1);
        // One job failed for good after one retry; each killed run ended, so each is a failed duration sample.
        readings.Observe("unrolledgan.jobs.failed").ShouldBe(1);
        readings.Observe("unrolledgan.job.retries").ShouldBe(1);
        readings.Observe("unrolledgan.jobs.succeeded").ShouldBe(0);
        await cluster.WaitForFreeSlotsAsync(TimeSpan.FromSeconds(30));
        readings.Samples("unrolledgan.job.duration").Select(s => s.Outcome).ShouldBe(["failed", "failed"]);
    }

    [Fact]
    public async Task CancelKillsRunningJobsFreesTheirSlotsAndAResubmitReopensThem()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 2);
        var spec = SweepCluster.Spec("cancel", steps: 100_000, unroll: [0], seeds: [0, 1, 2]);
        await cluster.Sweep("cancel").SubmitAsync(spec);
        await cluster.WaitForAsync("cancel", s => s.Progress.Count == 2, Timeout);
        var pids = cluster.Workers.SelectMany(w => w.Runner.ProcessIds).ToArray();
        pids.Length.ShouldBe(2);

        await cluster.Sweep("cancel").CancelAsync();

        var status = (await cluster.Sweep("cancel").GetStatusAsync())!;
        status.Phase.ShouldBe(SweepPhase.Cancelled);
        status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Cancelled);
        await WaitUntilAsync(() => cluster.Workers.All(w => w.Slots.Busy == 0 && w.Runner.ProcessIds.Count == 0));
        pids.ShouldAllBe(pid => !IsRunning(pid));

        var reopened = await cluster.Sweep("cancel").SubmitAsync(spec);
        reopened.Phase.ShouldBe(SweepPhase.Running);
        reopened.Jobs.ShouldAllBe(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running);
        await cluster.Sweep("cancel").CancelAsync();
    }

    [Fact]
    public async Task ASweepGoesOnAfterItsSiloRestartsWithoutRerunningFinishedJobs()
    {
        string results;
        string first, second;
        DateTime firstWritten;
        await using (var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1))
        {
            results = cluster.Results;
            await cluster.Sweep("restart").SubmitAsync(SweepCluster.Spec("restart", steps: 2000, unroll: [0], seeds: [0, 1], retries: 0));
            var status = await cluster.WaitForAsync("restart",
                s => s.Jobs[0].Status == JobStatus.Succeeded && s.Progress.Any(p => p.Step >= 600), Timeout);
            (first, second) = (status.Jobs[0].Spec.JobId, status.Jobs[1].Spec.JobId);
            firstWritten = File.GetLastWriteTimeUtc(Path.Combine(results, "restart", "jobs", first, "result.json"));
        }

        await using (var restarted = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, results))
        {
            var status = await restarted.WaitForAsync("restart", s => s.Phase == SweepPhase.Completed, Timeout);

            status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded && j.FailedAttempts == 0);
            status.Jobs.Single(j => j.Spec.JobId == first).Starts.ShouldBe(1);
            File.GetLastWriteTimeUtc(Path.Combine(results, "restart", "jobs", first, "result.json")).ShouldBe(firstWritten);
            var resumed = status.Jobs.Single(j => j.Spec.JobId == second);
            resumed.Starts.ShouldBe(2);
            ReadResult(restarted, resumed).Timings.ResumedFromStep.ShouldBeGreaterThanOrEqualTo(500);
        }
    }

    [Fact]
    public async Task ABadSpecOrANameTakenByAnotherSpecCreatesNothing()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1);
        var bad = SweepCluster.Spec("bad", steps: 100, unroll: [0, -1], seeds: [0]);
        (await Should.ThrowAsync<SweepSpecException>(() => cluster.Sweep("bad").SubmitAsync(bad))).Message.ShouldContain("axes.unroll");
        (await cluster.Sweep("bad").GetStatusAsync()).ShouldBeNull();

        var spec = SweepCluster.Spec("taken", steps: 100_000, unroll: [0], seeds: [0]);
        await cluster.Sweep("taken").SubmitAsync(spec);
        var again = await cluster.Sweep("taken").SubmitAsync(spec);
        again.Total.ShouldBe(1);
        var error = await Should.ThrowAsync<SweepSpecException>(() => cluster.Sweep("taken").SubmitAsync(spec with { Seeds = [0, 1] }));
        error.Message.ShouldStartWith("name:");
        (await cluster.Sweep("taken").GetStatusAsync())!.Total.ShouldBe(1);
        await cluster.Sweep("taken").CancelAsync();
    }

    private static void KillTrainers(SweepCluster cluster)
    {
        foreach (int pid in cluster.Workers.SelectMany(w => w.Runner.ProcessIds))
        {
            Process.GetProcessById(pid).Kill();
        }
    }

    private static TrainingResult ReadResult(SweepCluster cluster, JobRecord job) => JsonSerializer.Deserialize<TrainingResult>(
        File.ReadAllText(Path.Combine(cluster.Results, job.Spec.SweepName, "jobs", job.Spec.JobId, "result.json")), TrainerJson.Options)!;

    internal static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not hold in time");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
