using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>A sweep's state file damaged on disk is set aside and reported; it stops nothing else.</summary>
public sealed class DamagedStateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ATruncatedStateFileIsMovedAsideAndStatusSaysSoAndHowToRebuild()
    {
        string results = Directory.CreateTempSubdirectory("unrolledgan-damaged-").FullName;
        string states = Path.Combine(results, ".state", "sweep");
        Directory.CreateDirectory(states);
        File.WriteAllText(Path.Combine(states, "broken.json"), """{ "etag": "1", "state": { "spec": { "name": "bro""");

        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, results);
        var status = (await cluster.Sweep("broken").GetStatusAsync()).ShouldNotBeNull();

        status.Phase.ShouldBe(SweepPhase.Damaged);
        status.Problem.ShouldNotBeNull().ShouldContain("was moved to");
        status.Problem.ShouldContain("submit the sweep's spec again");
        File.Exists(Path.Combine(states, "broken.json")).ShouldBeFalse();
        Directory.GetFiles(states, "broken.json.corrupt-*").Length.ShouldBe(1);
        // Another sweep is unaffected: it is created and listed.
        (await cluster.Sweep("other").SubmitAsync(SweepCluster.Spec("other", steps: 20, unroll: [0], seeds: [0]))).Phase.ShouldBe(SweepPhase.Running);
    }

    [Fact]
    public async Task ATruncatedSweepAndCatalogAreSetAsideReportedAndStopNothingElse()
    {
        string results;
        var spec = SweepCluster.Spec("bad", steps: 200, unroll: [0], seeds: [0]);
        await using (var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1))
        {
            results = cluster.Results;
            await cluster.Sweep("good").SubmitAsync(spec with { Name = "good" });
            await cluster.Sweep("bad").SubmitAsync(spec);
            await cluster.WaitForAsync("good", s => s.Phase == SweepPhase.Completed, Timeout);
            await cluster.WaitForAsync("bad", s => s.Phase == SweepPhase.Completed, Timeout);
        }
        string state = Path.Combine(results, ".state");
        Truncate(Path.Combine(state, "sweep", "bad.json"));
        Truncate(Path.Combine(state, "catalog", "0.json"));

        await using (var restarted = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, results))
        {
            var bad = (await restarted.Sweep("bad").GetStatusAsync())!;
            bad.Phase.ShouldBe(SweepPhase.Damaged);
            bad.Problem.ShouldNotBeNull();
            bad.Problem.ShouldContain("unreadable");
            bad.Problem.ShouldContain("sweep.json");
            Directory.GetFiles(Path.Combine(state, "sweep"), "bad.json.corrupt-*").Length.ShouldBe(1);
            Directory.GetFiles(Path.Combine(state, "catalog"), "0.json.corrupt-*").Length.ShouldBe(1);

            // The other sweep is as it was, the catalog finds it again, and new work is dispatched.
            (await restarted.Sweep("good").GetStatusAsync())!.Phase.ShouldBe(SweepPhase.Completed);
            await WaitForCatalogAsync(restarted, "good");
            await restarted.Sweep("after").SubmitAsync(spec with { Name = "after" });
            await restarted.WaitForAsync("after", s => s.Phase == SweepPhase.Completed, Timeout);

            // The spec submitted again rebuilds the damaged sweep from its jobs' folders, training nothing again.
            await restarted.Sweep("bad").SubmitAsync(spec);
            var rebuilt = await restarted.WaitForAsync("bad", s => s.Phase == SweepPhase.Completed, Timeout);
            rebuilt.Problem.ShouldBeNull();
            rebuilt.Jobs.Single().Metrics.ShouldNotBeNull();
            string folder = Path.Combine(results, "bad", "jobs", rebuilt.Jobs.Single().Spec.JobId);
            var runs = File.ReadAllLines(Path.Combine(folder, "runs.jsonl"));
            runs.Length.ShouldBe(2);
            runs[^1].ShouldContain("\"trainedToEnd\":false", Case.Sensitive, "the second run found the first one's result");
        }
    }

    private static void Truncate(string path)
    {
        File.Exists(path).ShouldBeTrue(path);
        string text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length / 2)]);
    }

    private static async Task WaitForCatalogAsync(SweepCluster cluster, string sweep)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (!(await cluster.Client.GetGrain<ISweepCatalogGrain>(0).ListAsync()).Any(e => e.Name == sweep))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"the catalog did not list {sweep} again");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }
    }
}
