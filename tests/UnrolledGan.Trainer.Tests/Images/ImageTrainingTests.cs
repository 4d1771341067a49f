using System.Text.Json;

namespace UnrolledGan.Trainer.Tests.Images;

/// <summary>The image experiments through the real trainer process, on the MNIST digits that setup installs.</summary>
public sealed class ImageTrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unrolledgan-images-").FullName;

    // App. D's model at X = 1/4 on MNIST, with measures small enough for a test.
    private static readonly string[] SmallCifar =
    [
        "--experiment", "cifar10", "--steps", "8", "--unroll", "2", "--seed", "3",
        "--set", "dataset=mnist", "--set", "generatorSize=0.25", "--set", "discriminatorSize=0.25", "--set", "batchSize=16",
        "--set", "evalSamples=64", "--set", "images.inferenceTargets=6", "--set", "images.inferenceIterations=4",
        "--set", "images.distancePairs=100", "--set", "logInterval=1", "--set", "snapshotInterval=4", "--set", "checkpointInterval=2",
    ];

    [Theory]
    [InlineData("stacked-mnist", new[] { "modesCovered", "reverseKl" })]
    [InlineData("colored-mnist", new[] { "jsDivergence", "distanceMedian", "distanceMedianRatio" })]
    [InlineData("rnn-mnist", new[] { "modesCovered", "reverseKl", "distanceMedian", "distanceMedianRatio" })]
    public async Task EachExperimentTrainsAndReportsItsTablesMetrics(string experiment, string[] metrics)
    {
        string output = Path.Combine(_root, experiment);
        var (exitCode, _, stderr) = await TrainerProcess.RunAsync("train", "--out", output, "--experiment", experiment,
            "--steps", "2", "--unroll", "1", "--set", "batchSize=8", "--set", "evalSamples=200", "--set", "generatorSize=0.25",
            "--set", "discriminatorSize=0.25", "--set", "images.distancePairs=100");

        exitCode.ShouldBe(0, stderr);
        var result = new RunLayout(output).ReadResult()!;
        result.Metrics.Keys.ShouldBe(metrics, ignoreOrder: true);
        foreach (var value in result.Metrics.Values)
        {
            value.ShouldNotBeNull();
            double.IsFinite(value.Value).ShouldBeTrue();
        }
        if (experiment == "stacked-mnist")
        {
            result.Metrics["modesCovered"]!.Value.ShouldBeInRange(1, 200);
        }
        if (experiment == "colored-mnist")
        {
            result.Metrics["jsDivergence"]!.Value.ShouldBeInRange(0, Math.Log(2) + 1e-9);
        }
        File.Exists(new RunLayout(output).Density).ShouldBeTrue("the samples picture");
    }

    [Fact]
    public async Task AResumedImageJobEndsWithTheMetricsAndReconstructionsOfAnUninterruptedOne()
    {
        // Batch norm's running statistics and the final L-BFGS inference must survive a resume exactly.
        string whole = Path.Combine(_root, "whole");
        (await TrainerProcess.RunAsync(["train", "--out", whole, .. SmallCifar])).ExitCode.ShouldBe(0);
        string interrupted = Path.Combine(_root, "interrupted");
        using (var trainer = TrainerProcess.Start(["train", "--out", interrupted, .. SmallCifar]))
        {
            await trainer.WaitForAsync(e => e.Event == ProgressEvent.Kinds.Checkpoint && e.Step >= 2, TimeSpan.FromMinutes(2));
            trainer.Signal(9);
            (await trainer.WaitForExitAsync()).ShouldBe(137);
        }

        var (exitCode, stdout, stderr) = await TrainerProcess.RunAsync(["train", "--out", interrupted, "--resume", .. SmallCifar]);

        exitCode.ShouldBe(0, stderr);
        JsonSerializer.Deserialize<ProgressEvent>(stdout.Split('\n')[0], TrainerJson.Compact)!.ResumedFromStep.ShouldNotBeNull().ShouldBeGreaterThan(0);
        var expected = new RunLayout(whole);
        var actual = new RunLayout(interrupted);
        JsonSerializer.Serialize(actual.ReadResult()!.Metrics).ShouldBe(JsonSerializer.Serialize(expected.ReadResult()!.Metrics));
        File.ReadAllText(actual.Inference).ShouldBe(File.ReadAllText(expected.Inference));
        var inference = JsonSerializer.Deserialize<InferenceFile>(File.ReadAllText(actual.Inference), TrainerJson.Options)!;
        inference.Errors.Count.ShouldBe(6);
        File.ReadAllText(actual.Distances).ShouldBe(File.ReadAllText(expected.Distances));
    }

    [Fact]
    public async Task AMissingDataSetIsABadInputThatSaysWhereToPutItAndWritesNothing()
    {
        string output = Path.Combine(_root, "cifar");
        var (exitCode, _, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, .. SmallCifar, "--set", "dataset=cifar10"]);

        exitCode.ShouldBe(2);
        stderr.ShouldContain("cifar10");
        stderr.ShouldContain("data_batch_1.bin");
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task MoreInferenceTargetsThanImagesIsABadInputNamingTheField()
    {
        string output = Path.Combine(_root, "targets");
        var (exitCode, _, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, .. SmallCifar, "--set", "images.inferenceTargets=20000"]);

        exitCode.ShouldBe(2);
        stderr.ShouldContain("images.inferenceTargets");
        Directory.Exists(output).ShouldBeFalse();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
