namespace UnrolledGan.Grains.Tests;

/// <summary>A sweep's state file damaged on disk is set aside and reported; it stops nothing else.</summary>
public sealed class DamagedStateTests
{
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
}
