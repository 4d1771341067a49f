using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Tests;

/// <summary>
/// A client that reaches a gateway tries every silo-only method: each is refused before the grain sees it, and
/// nothing changes or is written. Then the checks that stand behind the filter, on their own.
/// </summary>
public sealed class TrustBoundaryTests
{
    [Fact]
    public async Task AClientCanCallNoSiloOnlyMethodAndChangesNothing()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1);
        // Concurrency 1 and a long job: one job runs, the other stays queued, so a forged lease would have one to take.
        var spec = SweepCluster.Spec("guarded", steps: 100_000, unroll: [0], seeds: [0, 1]) with { Concurrency = 1 };
        await cluster.Sweep("guarded").SubmitAsync(spec);
        var before = await cluster.WaitForAsync("guarded", s => s.Progress.Count == 1, TimeSpan.FromMinutes(2));
        var job = before.Jobs[1].Spec;

        var work = cluster.Client.GetGrain<ISweepWorkGrain>("guarded");
        var index = cluster.Client.GetGrain<ISweepIndexGrain>(0);
        string evil = $"../{Guid.NewGuid():N}";
        var forged = new JobLease(job with { SweepName = evil }, 1, "127.0.0.1:1@1", null, DateTimeOffset.UtcNow, "00");
        var calls = new (string Method, Func<Task> Call)[]
        {
            ("LeaseJobAsync", () => work.LeaseJobAsync("127.0.0.1:1@1")),
            ("ReportProgressAsync", () => work.ReportProgressAsync(new JobProgress(job.JobId, 10, 20, 1, 1, "x", DateTimeOffset.UtcNow, 1, "00"))),
            ("HoldsAsync", () => work.HoldsAsync(job.JobId, "00")),
            ("JobEndedAsync", () => work.JobEndedAsync(new JobOutcome(job.JobId, JobExit.Succeeded, null,
                new Dictionary<string, double?> { ["modesCovered"] = 8 }, 1, "x", 0, 1, "00"))),
            ("RecordAsync", () => index.RecordAsync(new SweepEntry("fake", "mixture-of-gaussians", SweepPhase.Running, 1, 1, 0, DateTimeOffset.UtcNow))),
            ("ActiveAsync", () => index.ActiveAsync()),
            ("StartAsync", () => cluster.Client.GetGrain<ITrainerGrain>(forged.TrainerKey).StartAsync(forged)),
            ("CancelAsync", () => cluster.Client.GetGrain<ITrainerGrain>($"{before.Jobs[0].Spec.JobId}#1").CancelAsync()),
        };
        foreach (var (method, call) in calls)
        {
            var refused = await Should.ThrowAsync<SiloOnlyException>(call, method);
            refused.Message.ShouldContain(method);
            refused.Message.ShouldContain("only by the cluster's silos");
        }

        var after = (await cluster.Sweep("guarded").GetStatusAsync())!;
        after.Jobs.Select(j => (j.Spec.JobId, j.Status, j.Starts)).ShouldBe(before.Jobs.Select(j => (j.Spec.JobId, j.Status, j.Starts)));
        after.Jobs.ShouldAllBe(j => j.Metrics == null);
        (await cluster.Client.GetGrain<ISweepCatalogGrain>(0).ListAsync()).Select(e => e.Name).ShouldBe(["guarded"]);
        cluster.Workers.Single().Runner.ProcessIds.Count.ShouldBe(1);
        // Nothing was written for the queued job, nor anywhere outside the results folder.
        Directory.Exists(Path.Combine(cluster.Results, "guarded", "jobs", job.JobId)).ShouldBeFalse();
        Directory.Exists(Path.GetFullPath(Path.Combine(cluster.Results, evil))).ShouldBeFalse();
        // The status a client reads carries no lease token.
        after.Jobs.ShouldAllBe(j => j.LeaseToken == null);
        after.Progress.ShouldAllBe(p => p.Token == "");
    }

    [Theory]
    [InlineData("../escape", "k0-x1-s0-0123abcd")]
    [InlineData("ok", "../../../etc")]
    [InlineData("ok\n", "k0-x1-s0-0123abcd")]
    [InlineData("/absolute", "k0-x1-s0-0123abcd")]
    [InlineData("ok", "k0-x1-s0-0123abcd/../../x")]
    public void AJobFolderIsBuiltOnlyFromValidNamesAndOnlyInsideTheResultsFolder(string sweep, string jobId)
    {
        var results = new ResultsOptions { Folder = Path.Combine(Path.GetTempPath(), "results") };

        Should.Throw<ArgumentException>(() => results.JobFolder(sweep, jobId));
        results.JobFolder("ok", "k0-x1-s0-0123abcd").ShouldBe(Path.Combine(Path.GetTempPath(), "results", "ok", "jobs", "k0-x1-s0-0123abcd"));
    }
}
