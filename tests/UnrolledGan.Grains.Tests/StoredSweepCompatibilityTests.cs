using System.Text.Json;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Grains.Tests;

/// <summary>
/// A sweep stored by an earlier build must resume: its state must load, its spec resubmitted must match the stored
/// fingerprint, and the planner must give its jobs the same ids (their folders hold the finished work). The JSON and
/// the ids below were written by the build before the typed sweep-to-config path (commit fa826f0).
/// </summary>
public sealed class StoredSweepCompatibilityTests
{
    private const string StoredState = """
        {"spec":{"name":"stored","experiment":"mixture-of-gaussians","preset":"quick","unroll":[0,10],"sizes":[1],"sizeAxis":"DiscriminatorSize","seeds":[0,1],"steps":300,"overrides":{"mixture.initGain":"0.8","logInterval":"25"},"metrics":[],"retries":2,"concurrency":0,"dispatch":"LongestFirst"},"fingerprint":"fa138dad46032864","jobs":[{"spec":{"jobId":"k0-x1-s0-6fd88a16","sweepName":"stored","unroll":0,"size":1,"seed":0,"configJson":"{\u0022experiment\u0022:\u0022mixture-of-gaussians\u0022,\u0022preset\u0022:\u0022quick\u0022,\u0022unroll\u0022:0,\u0022secondGradient\u0022:true,\u0022unrollTarget\u0022:\u0022final\u0022,\u0022discriminatorEnsemble\u0022:{\u0022size\u0022:1,\u0022period\u0022:1},\u0022resampleUnrollBatch\u0022:false,\u0022seed\u0022:0,\u0022steps\u0022:300,\u0022schedule\u0022:\u0022simultaneous\u0022,\u0022generatorUpdates\u0022:1,\u0022discriminatorUpdates\u0022:1,\u0022generatorLoss\u0022:\u0022minimax\u0022,\u0022discriminatorOptimizer\u0022:\u0022adam\u0022,\u0022generatorLearningRate\u0022:0.001,\u0022discriminatorLearningRate\u0022:0.0001,\u0022beta1\u0022:0.5,\u0022beta2\u0022:0.999,\u0022adamEpsilon\u0022:1E-08,\u0022batchSize\u0022:512,\u0022noiseDimension\u0022:256,\u0022discriminatorSize\u0022:1,\u0022generatorSize\u0022:1,\u0022mixture\u0022:{\u0022modes\u0022:8,\u0022radius\u0022:2,\u0022standardDeviation\u0022:0.02,\u0022activation\u0022:\u0022relu\u0022,\u0022hiddenUnits\u0022:128,\u0022generatorLayers\u0022:2,\u0022discriminatorLayers\u0022:1,\u0022discriminatorInputScale\u0022:0.25,\u0022initGain\u0022:0.8,\u0022minSamplesPerMode\u0022:25},\u0022dataset\u0022:\u0022mnist\u0022,\u0022images\u0022:{\u0022inferenceTargets\u0022:1280,\u0022inferenceStarts\u0022:3,\u0022inferenceIterations\u0022:100,\u0022distancePairs\u0022:10000,\u0022colorStandardDeviation\u0022:0.5,\u0022pixelNoise\u0022:0.2,\u0022pictureSamples\u0022:64},\u0022evalSamples\u0022:2500,\u0022logInterval\u0022:25,\u0022snapshotInterval\u0022:1000,\u0022checkpointInterval\u0022:1000,\u0022threads\u0022:1,\u0022device\u0022:\u0022cpu\u0022}"},"status":"Queued","failedAttempts":0,"failureReason":null,"silo":null,"metrics":null,"trainSeconds":null,"startedAt":null,"endedAt":null,"starts":0,"versions":null,"notBefore":null,"leaseToken":null}],"phase":"Running","createdAt":"0001-01-01T00:00:00+00:00","endedAt":null,"traceParent":null,"reportFiles":null}
        """;

    private static SweepSpec Spec() => new()
    {
        Name = "stored", Experiment = "mixture-of-gaussians", Preset = "quick", Unrolls = [0, 10], Sizes = [1.0], Seeds = [0, 1],
        Steps = 300, Overrides = new Dictionary<string, string> { ["mixture.initGain"] = "0.8", ["logInterval"] = "25" },
    };

    [Fact]
    public void AStoredStateLoadsWithItsAxesAndIsWrittenBackUnderTheSameNames()
    {
        var state = JsonSerializer.Deserialize<SweepState>(StoredState, GrainStateJson.Options)!;

        state.Spec!.Unrolls.ShouldBe([0, 10]);
        state.Spec.Seeds.ShouldBe([0, 1]);
        state.Jobs.Single().Spec.Unroll.ShouldBe(0);
        JsonSerializer.Serialize(state, GrainStateJson.Options).ShouldBe(StoredState);
    }

    [Fact]
    public void TheStoredSpecAndTheSameSpecSubmittedAgainMatchTheStoredFingerprint()
    {
        var state = JsonSerializer.Deserialize<SweepState>(StoredState, GrainStateJson.Options)!;

        state.Fingerprint.ShouldBe("fa138dad46032864");
        SweepPlanner.Fingerprint(state.Spec!).ShouldBe(state.Fingerprint);
        SweepPlanner.Fingerprint(Spec()).ShouldBe(state.Fingerprint);
    }

    [Fact]
    public void ThePlannerGivesTheStoredJobsTheirIdsAndConfigs()
    {
        var state = JsonSerializer.Deserialize<SweepState>(StoredState, GrainStateJson.Options)!;

        var jobs = SweepPlanner.Expand(Spec(), maxJobs: 100);

        jobs.Select(j => j.JobId).ShouldBe(["k0-x1-s0-6fd88a16", "k0-x1-s1-42efe96e", "k10-x1-s0-c4ca1252", "k10-x1-s1-57e5780c"]);
        jobs[0].ShouldBe(state.Jobs.Single().Spec);
        var modelSize = Spec() with { Name = "model", SizeAxis = SizeAxis.ModelSize, Sizes = [0.5, 2], Unrolls = [5], Seeds = [3], Steps = null };
        SweepPlanner.Expand(modelSize, maxJobs: 100).Select(j => j.JobId).ShouldBe(["k5-x0.5-s3-13c7de9e", "k5-x2-s3-26cfea18"]);
    }
}
