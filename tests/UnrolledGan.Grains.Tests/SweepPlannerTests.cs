using System.Text.Json;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

public sealed class SweepPlannerTests
{
    internal static SweepSpec Spec(string name = "quick") => new()
    {
        Name = name,
        Experiment = Experiments.MixtureOfGaussians,
        Unrolls = [0, 1, 5, 10],
        Sizes = [0.5, 1.0],
        Seeds = [0, 1, 2],
        Steps = 200,
    };

    [Fact]
    public void TheGridIsSizeTimesUnrollTimesSeedInAFixedOrder()
    {
        var jobs = SweepPlanner.Expand(Spec(), maxJobs: 1000);

        jobs.Count.ShouldBe(24);
        jobs.Select(j => (j.Size, j.Unroll, j.Seed)).Take(4).ShouldBe([(0.5, 0, 0), (0.5, 0, 1), (0.5, 0, 2), (0.5, 1, 0)]);
        jobs[^1].ShouldSatisfyAllConditions(j => j.Size.ShouldBe(1.0), j => j.Unroll.ShouldBe(10), j => j.Seed.ShouldBe(2));
        jobs.Select(j => j.JobId).Distinct().Count().ShouldBe(24);
    }

    [Fact]
    public void EachJobCarriesItsCompleteConfigWithTheSeedTheSpecFixed()
    {
        var job = SweepPlanner.Expand(Spec(), 1000).Single(j => j is { Unroll: 5, Size: 0.5, Seed: 2 });

        var config = JsonSerializer.Deserialize<TrainingConfig>(job.ConfigJson, TrainerJson.Compact)!;
        config.Unroll.ShouldBe(5);
        config.Seed.ShouldBe(2);
        config.DiscriminatorSize.ShouldBe(0.5);
        config.GeneratorSize.ShouldBe(1.0);
        config.Steps.ShouldBe(200);
        job.JobId.ShouldStartWith("k5-x0.5-s2-");
    }

    [Fact]
    public void JobIdsAreStableAndDependOnSweepAndConfig()
    {
        var first = SweepPlanner.Expand(Spec(), 1000).Select(j => j.JobId).ToArray();
        var again = SweepPlanner.Expand(Spec(), 1000).Select(j => j.JobId).ToArray();
        var otherSweep = SweepPlanner.Expand(Spec("other"), 1000).Select(j => j.JobId).ToArray();
        var otherBudget = SweepPlanner.Expand(Spec() with { Steps = 300 }, 1000).Select(j => j.JobId).ToArray();

        again.ShouldBe(first);
        otherSweep.Intersect(first).ShouldBeEmpty();
        otherBudget.Intersect(first).ShouldBeEmpty();
    }

    [Fact]
    public void ModelSizeScalesBothNetworks()
    {
        var job = SweepPlanner.Expand(Spec() with { SizeAxis = SizeAxis.ModelSize, Sizes = [0.25] }, 1000)[0];

        var config = JsonSerializer.Deserialize<TrainingConfig>(job.ConfigJson, TrainerJson.Compact)!;
        config.DiscriminatorSize.ShouldBe(0.25);
        config.GeneratorSize.ShouldBe(0.25);
    }

    [Fact]
    public void OverridesReachTheTrainerConfig()
    {
        var spec = Spec() with { Overrides = new Dictionary<string, string> { ["mixture.initGain"] = "1.1", ["schedule"] = "alternating" } };

        var config = JsonSerializer.Deserialize<TrainingConfig>(SweepPlanner.Expand(spec, 1000)[0].ConfigJson, TrainerJson.Compact)!;

        config.Mixture.InitGain.ShouldBe(1.1);
        config.Schedule.ShouldBe(Schedule.Alternating);
    }

    public static TheoryData<string, SweepSpec> BadSpecs => new()
    {
        { "experiment: unknown experiment 'cifar-100'", Spec() with { Experiment = "cifar-100" } },
        { "metrics: unknown metric 'inceptionScore'", Spec() with { Metrics = ["modesCovered", "inceptionScore"] } },
        { "axes.unroll: K must be 0 or more (got -1)", Spec() with { Unrolls = [0, -1] } },
        { "axes.unroll: is empty", Spec() with { Unrolls = [] } },
        { "axes.seeds: is empty", Spec() with { Seeds = [] } },
        { "axes.discriminatorSize: is empty", Spec() with { Sizes = [] } },
        { "axes: the grid has 24 jobs, more than the cap of 20", Spec() },
        { "name: \"has space\" must be", Spec("has space") },
        { "overrides.mixture.initGain: expected a number, got 'big'", Spec() with { Overrides = new Dictionary<string, string> { ["mixture.initGain"] = "big" } } },
        { "overrides.nonsense: unknown field", Spec() with { Overrides = new Dictionary<string, string> { ["nonsense"] = "1" } } },
        { "steps: must be positive (got 0)", Spec() with { Steps = 0 } },
        { "name: \"trailing\\n\" must be", Spec("trailing\n") },
        { "name: \"..\" must be", Spec("..") },
        { "overrides.generatorLearningRate: must be a finite number, got 'NaN'", Spec() with { Overrides = new Dictionary<string, string> { ["generatorLearningRate"] = "NaN" } } },
        { "overrides.beta1: must be a finite number, got '-Infinity'", Spec() with { Overrides = new Dictionary<string, string> { ["beta1"] = "-Infinity" } } },
        { "overrides.batchSize: must be at most 65,536", Spec() with { Overrides = new Dictionary<string, string> { ["batchSize"] = "2000000000" } } },
        { "axes.discriminatorSize: sizes must be positive numbers", Spec() with { Sizes = [1.0, double.NaN] } },
        // The spec sets these at every grid point, so an override of them would be silently ignored.
        { "overrides.unroll: is set by axes.unroll; give it there", Spec() with { Overrides = new Dictionary<string, string> { ["unroll"] = "3" } } },
        { "overrides.Seed: is set by axes.seeds; give it there", Spec() with { Overrides = new Dictionary<string, string> { ["Seed"] = "3" } } },
        { "overrides.steps: is set by steps; give it there", Spec() with { Overrides = new Dictionary<string, string> { ["steps"] = "3" } } },
        // On the discriminatorSize axis the generator's size is the user's own override, and its error says so.
        { "overrides.generatorSize: must be a positive number of at most", Spec() with { Overrides = new Dictionary<string, string> { ["generatorSize"] = "-1" } } },
        // K's bound holds at every point: only the last K of this grid is over it.
        { "axes.unroll: must be at most 100 (got 1,000,000", Spec() with { Unrolls = [0, 1_000_000], Sizes = [1.0], Seeds = [0] } },
        // Only the last size of this grid cannot be built: every point is checked, not just the first.
        {
            "axes.discriminatorSize: leaves a layer without units (got 0.01)",
            Spec() with { Experiment = Experiments.StackedMnist, Unrolls = [0], Seeds = [0], Sizes = [1.0, 0.01] }
        },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void ABadSpecIsRejectedNamingTheField(string message, SweepSpec spec)
    {
        var error = Should.Throw<SweepSpecException>(() => SweepPlanner.Expand(spec, maxJobs: 20));

        error.Message.ShouldContain(message);
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void AGridPointOverTheJobMemoryLimitIsRefusedBeforeAnythingRuns()
    {
        // Within every field's bound, but K = 100 at batch 65,536 would need tens of GiB; only the last K is too big.
        var spec = Spec() with
        {
            Unrolls = [0, 100], Sizes = [1.0], Seeds = [0], Overrides = new Dictionary<string, string> { ["batchSize"] = "65536" },
        };

        var error = Should.Throw<SweepSpecException>(() => SweepPlanner.Expand(spec, maxJobs: 20, jobMemoryLimit: 8L << 30));

        error.Message.ShouldStartWith("overrides.batchSize: at K = 100 and size 1 the job needs about ");
        error.Message.ShouldEndWith("GiB, over Workers:JobMemoryLimit 8 GiB");
        SweepPlanner.Expand(spec with { Unrolls = [0] }, maxJobs: 20, jobMemoryLimit: 8L << 30).Count.ShouldBe(1);
    }

    [Fact]
    public void EachJobsConfigIsThePresetWithTheOverridesAndItsGridPoint()
    {
        var spec = Spec() with { Steps = null, Overrides = new Dictionary<string, string> { ["steps"] = "300", ["mixture.initGain"] = "0.8" } };

        var job = SweepPlanner.Expand(spec, 1000).Single(j => j is { Unroll: 10, Size: 0.5, Seed: 1 });

        var expected = Presets.Create(Experiments.MixtureOfGaussians, Presets.Quick) with
        {
            Unroll = 10, DiscriminatorSize = 0.5, Seed = 1, Steps = 300,
            Mixture = Presets.Create(Experiments.MixtureOfGaussians, Presets.Quick).Mixture with { InitGain = 0.8 },
        };
        job.ConfigJson.ShouldBe(JsonSerializer.Serialize(expected, TrainerJson.Compact));
    }

    [Fact]
    public void TheFingerprintIgnoresOverrideOrderButNotValues()
    {
        var a = Spec() with { Overrides = new Dictionary<string, string> { ["beta1"] = "0.4", ["beta2"] = "0.99" } };
        var b = Spec() with { Overrides = new Dictionary<string, string> { ["beta2"] = "0.99", ["beta1"] = "0.4" } };
        var c = Spec() with { Overrides = new Dictionary<string, string> { ["beta1"] = "0.5", ["beta2"] = "0.99" } };

        SweepPlanner.Fingerprint(a).ShouldBe(SweepPlanner.Fingerprint(b));
        SweepPlanner.Fingerprint(a).ShouldNotBe(SweepPlanner.Fingerprint(c));
    }
}
