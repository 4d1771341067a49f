using System.Text.Json.Nodes;

namespace UnrolledGan.Trainer.Tests;

public sealed class TrainingConfigTests
{
    [Fact]
    public void PaperPresetIsAppendixA()
    {
        var config = TrainingConfigBuilder.Build(overrides: [new("preset", "paper")]);

        config.Schedule.ShouldBe(Schedule.Alternating);
        config.GeneratorLearningRate.ShouldBe(1e-4);
        config.DiscriminatorLearningRate.ShouldBe(1e-4);
        config.Beta1.ShouldBe(0.5);
        config.BatchSize.ShouldBe(512);
        config.NoiseDimension.ShouldBe(256);
        config.Mixture.ShouldBe(new MixtureOptions
        {
            Activation = Activation.Relu, GeneratorLayers = 2, HiddenUnits = 128, DiscriminatorLayers = 1,
            DiscriminatorInputScale = 0.25, InitGain = 0.8, Modes = 8, Radius = 2, StandardDeviation = 0.02,
        });
    }

    [Fact]
    public void FlagsOverrideTheFileWhichOverridesThePreset()
    {
        var file = JsonNode.Parse("""{ "preset": "notebook", "unroll": 3, "seed": 4, "mixture": { "initGain": 0.9 } }""")!.AsObject();

        var config = TrainingConfigBuilder.Build(file, [new("unroll", "7"), new("mixture.hiddenUnits", "64"), new("schedule", "alternating")]);

        config.Preset.ShouldBe(Presets.Notebook);
        config.Unroll.ShouldBe(7);
        config.Seed.ShouldBe(4);
        config.Mixture.InitGain.ShouldBe(0.9);
        config.Mixture.HiddenUnits.ShouldBe(64);
        config.Schedule.ShouldBe(Schedule.Alternating);
        config.Steps.ShouldBe(25_000);
    }

    [Theory]
    [InlineData("unroll", "-1", "unroll: must be 0 or more (got -1)")]
    [InlineData("steps", "0", "steps: must be positive (got 0)")]
    [InlineData("steps", "-5", "steps: must be positive (got -5)")]
    [InlineData("experiment", "cifar100", "experiment: unknown experiment 'cifar100'")]
    [InlineData("preset", "huge", "preset: unknown preset 'huge'")]
    [InlineData("unroll", "five", "unroll: expected a number, got 'five'")]
    [InlineData("unrol", "5", "unrol: unknown field")]
    [InlineData("mixture.gain", "1", "mixture.gain: unknown field")]
    [InlineData("secondGradient", "maybe", "secondGradient: expected true or false")]
    [InlineData("schedule", "sideways", "schedule: has a value of the wrong type")]
    [InlineData("evalSamples", "100", "evalSamples: must be at least 2500")]
    [InlineData("discriminatorEnsemble.size", "0", "discriminatorEnsemble.size: must be positive (got 0)")]
    [InlineData("discriminatorEnsemble.period", "-2", "discriminatorEnsemble.period: must be positive (got -2)")]
    [InlineData("discriminatorEnsemble", "5", "discriminatorEnsemble: is a group of fields")]
    [InlineData("unrollTarget", "middle", "unrollTarget: has a value of the wrong type")]
    [InlineData("generatorLearningRate", "NaN", "generatorLearningRate: must be a finite number, got 'NaN'")]
    [InlineData("generatorLearningRate", "Infinity", "generatorLearningRate: must be a finite number, got 'Infinity'")]
    [InlineData("discriminatorLearningRate", "-Infinity", "discriminatorLearningRate: must be a finite number")]
    [InlineData("mixture.radius", "1e400", "mixture.radius: must be a finite number, got '1e400'")]
    [InlineData("batchSize", "1e10", "batchSize: has a value of the wrong type (or out of range")]
    [InlineData("batchSize", "2000000000", "batchSize: must be at most 65,536 (got 2,000,000,000")]
    [InlineData("unroll", "1000000", "unroll: must be at most 100 (got 1,000,000")]
    [InlineData("threads", "100000", "threads: must be at most 1,024")]
    [InlineData("evalSamples", "2000000000", "evalSamples: must be at most 1,000,000")]
    [InlineData("noiseDimension", "10000000", "noiseDimension: must be at most 65,536")]
    [InlineData("mixture.hiddenUnits", "10000000", "mixture.hiddenUnits: must be at most 65,536")]
    [InlineData("mixture.generatorLayers", "1000", "mixture.generatorLayers: must be at most 64")]
    [InlineData("discriminatorSize", "1000", "discriminatorSize: must be a positive number of at most 16 (got 1000)")]
    [InlineData("discriminatorEnsemble.size", "100000", "discriminatorEnsemble.size: must be at most 1,000")]
    public void BadInputNamesTheField(string field, string value, string message)
    {
        var error = Should.Throw<ConfigException>(() => TrainingConfigBuilder.Build(overrides: [new(field, value)]));

        error.Message.ShouldStartWith(message);
    }

    [Theory]
    [InlineData("""{ "generatorLearningRate": 1e400 }""", "generatorLearningRate: must be a positive finite number (got Infinity)")]
    [InlineData("""{ "experiment": "colored-mnist", "images": { "pixelNoise": 1e308, "colorStandardDeviation": -1 } }""",
        "images.colorStandardDeviation: must be a finite number, 0 or more (got -1)")]
    [InlineData("""{ "experiment": "stacked-mnist", "images": { "pictureSamples": 5000 } }""", "images.pictureSamples: must be at most 1,024")]
    public void AConfigFileIsHeldToTheSameBounds(string json, string message)
    {
        var error = Should.Throw<ConfigException>(() => TrainingConfigBuilder.Build(JsonNode.Parse(json)!.AsObject()));

        error.Message.ShouldContain(message);
    }

    [Fact]
    public void EveryShippedPresetIsWithinTheBounds()
    {
        foreach (string experiment in Experiments.Names)
        {
            foreach (string preset in experiment == Experiments.MixtureOfGaussians ? Presets.Names : [Presets.Quick, Presets.Paper])
            {
                ConfigValidator.Validate(Presets.Create(experiment, preset)).ShouldBeEmpty($"{experiment} {preset}");
            }
        }
    }

    [Fact]
    public void EveryProblemIsReportedOnOneLine()
    {
        var error = Should.Throw<ConfigException>(() => TrainingConfigBuilder.Build(overrides: [new("unroll", "-1"), new("steps", "0")]));

        error.Problems.Select(p => p.Field).ShouldBe(["unroll", "steps"]);
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void SetFlagsAreReadOnceForEveryCaller()
    {
        TrainingConfigBuilder.ParseAssignments([" mixture.initGain = 0.8", "beta1=0.4=x"])
            .ShouldBe([KeyValuePair.Create("mixture.initGain", "0.8"), KeyValuePair.Create("beta1", "0.4=x")]);
        Should.Throw<ConfigException>(() => TrainingConfigBuilder.ParseAssignments(["beta1"]))
            .Message.ShouldBe("--set: expected field=value, got 'beta1'");
        Should.Throw<ConfigException>(() => TrainingConfigBuilder.ParseAssignments(["=1"]))
            .Message.ShouldBe("--set: expected field=value, got '=1'");
    }

    [Fact]
    public void OverridesApplyToATypedConfigAsTheirFieldsTypes()
    {
        var preset = Presets.Create(Experiments.MixtureOfGaussians, Presets.Paper);

        var config = TrainingConfigBuilder.Apply(preset, [new("mixture.initGain", "1.1"), new("schedule", "simultaneous"), new("BATCHSIZE", "64")]);

        config.ShouldBe(preset with { Mixture = preset.Mixture with { InitGain = 1.1 }, Schedule = Schedule.Simultaneous, BatchSize = 64 });
        Should.Throw<ConfigException>(() => TrainingConfigBuilder.Apply(preset, [new("batchSize", "2.5")])).Problems.Single().Field.ShouldBe("batchSize");
    }

    [Fact]
    public void MalformedConfigFileIsRejectedWithItsLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\n  \"unroll\": 5,\n  \"seed\": \n}");
        try
        {
            var error = Should.Throw<ConfigException>(() => TrainingConfigBuilder.ParseFile(path));
            error.Message.ShouldStartWith($"config: '{path}' is not valid JSON (line 4)");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
