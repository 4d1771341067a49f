using System.Text.Json;
using UnrolledGan.Trainer.Runs;

namespace UnrolledGan.Trainer.Tests;

/// <summary>The trainer's command line, run as a real process.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unrolledgan-cli-").FullName;

    // A short job: enough steps for checkpoints and snapshots, small enough for seconds.
    private static readonly string[] Short =
        ["--steps", "60", "--set", "batchSize=64", "--set", "logInterval=10", "--set", "checkpointInterval=10", "--set", "snapshotInterval=30"];

    [Theory]
    [InlineData("unknown experiment", "--experiment", "nonsense")]
    [InlineData("unroll: must be 0 or more (got -1)", "--unroll", "-1")]
    [InlineData("steps: must be positive (got 0)", "--steps", "0")]
    [InlineData("steps: must be positive (got -3)", "--steps", "-3")]
    [InlineData("batchSize: expected a number", "--set", "batchSize=large")]
    [InlineData("generatorLearningRate: must be a finite number, got 'NaN'", "--set", "generatorLearningRate=NaN")]
    [InlineData("generatorLearningRate: must be a finite number, got '1e400'", "--set", "generatorLearningRate=1e400")]
    [InlineData("batchSize: must be at most 65,536", "--set", "batchSize=2000000000")]
    public async Task BadInputExitsWithOneLineNamingTheFieldAndWritesNothing(string message, params string[] arguments)
    {
        string output = Path.Combine(_root, "bad");

        var (exitCode, stdout, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, .. arguments]);

        exitCode.ShouldBe(2);
        stderr.Trim().ShouldStartWith("error: ");
        stderr.ShouldContain(message);
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        stdout.ShouldBeEmpty();
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task MalformedConfigFileIsRejected()
    {
        string config = Path.Combine(_root, "config.json");
        File.WriteAllText(config, "{ \"unroll\": 5, ");
        string output = Path.Combine(_root, "malformed");

        var (exitCode, _, stderr) = await TrainerProcess.RunAsync("train", "--config", config, "--out", output);

        exitCode.ShouldBe(2);
        stderr.ShouldStartWith($"error: config: '{config}' is not valid JSON");
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task UnwritableOutputFolderIsRejected()
    {
        // Root ignores permission bits, so make the folder impossible instead: its parent is a file.
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "");

        var (exitCode, _, stderr) = await TrainerProcess.RunAsync("train", "--out", Path.Combine(file, "run"));

        exitCode.ShouldBe(2);
        stderr.ShouldStartWith("error: out: cannot write to");
    }

    [Fact]
    public async Task AFolderHoldingARunIsNotOverwritten()
    {
        string output = Path.Combine(_root, "taken");
        (await TrainerProcess.RunAsync(["train", "--out", output, .. Short])).ExitCode.ShouldBe(0);
        string before = File.ReadAllText(Path.Combine(output, "result.json"));

        var (exitCode, _, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, "--seed", "3", .. Short]);

        exitCode.ShouldBe(2);
        stderr.ShouldContain("already holds a run");
        File.ReadAllText(Path.Combine(output, "result.json")).ShouldBe(before);
    }

    [Fact]
    public async Task TheSameSeedGivesIdenticalMetrics()
    {
        var first = await TrainAsync("first", "--seed", "11");
        var second = await TrainAsync("second", "--seed", "11");
        var other = await TrainAsync("other", "--seed", "12");

        JsonSerializer.Serialize(second.Snapshots).ShouldBe(JsonSerializer.Serialize(first.Snapshots));
        JsonSerializer.Serialize(second.Metrics).ShouldBe(JsonSerializer.Serialize(first.Metrics));
        JsonSerializer.Serialize(other.Snapshots).ShouldNotBe(JsonSerializer.Serialize(first.Snapshots));
    }

    [Theory]
    [InlineData(9)]  // SIGKILL: a crash; the job restarts from its last checkpoint.
    [InlineData(15)] // SIGTERM: a clean stop; the job checkpoints where it is and exits 130.
    public Task AResumedJobEndsWithTheMetricsOfAnUninterruptedOne(int signal) => ResumeEquivalenceAsync(signal, $"interrupted-{signal}", null);

    [Fact]
    public Task AResumedJobWithADiscriminatorEnsembleEndsWithTheMetricsOfAnUninterruptedOne() =>
        // App. B.1's copies of θ_D are part of the state: Size 4 with Period 3 has copies of different ages at the
        // checkpoint, and a stale or missing copy changes every later generator step.
        ResumeEquivalenceAsync(9, "ensemble", null, "--set", "discriminatorEnsemble.size=4", "--set", "discriminatorEnsemble.period=3",
            "--unroll", "0");

    [Fact]
    public Task ADamagedNewestCheckpointIsSetAsideAndTheJobResumesExactlyFromThePreviousOne() =>
        ResumeEquivalenceAsync(15, "damaged-newest", output =>
        {
            int previous = Checkpoint.ReadHeader(Path.Combine(output, "checkpoint.prev.bin")).Step;
            CheckpointDamage.FlipTensorByte(Path.Combine(output, "checkpoint.bin"));
            return (previous, ["checkpoint.bin"]);
        });

    [Fact]
    public Task WithBothCheckpointsDamagedTheJobStartsOverFromStepZero() =>
        ResumeEquivalenceAsync(15, "damaged-both", output =>
        {
            string newest = Path.Combine(output, "checkpoint.bin");
            CheckpointDamage.Truncate(newest, new FileInfo(newest).Length / 2);
            CheckpointDamage.FlipHeaderByte(Path.Combine(output, "checkpoint.prev.bin"));
            return (0, ["checkpoint.bin", "checkpoint.prev.bin"]);
        });

    /// <summary>
    /// Interrupts a job at a checkpoint, optionally damages its folder (returning the step it must resume from and
    /// the files it must set aside), resumes it, and compares it with the same job run whole.
    /// </summary>
    private async Task ResumeEquivalenceAsync(int signal, string name, Func<string, (int ResumedFrom, string[] SetAside)>? damage,
        params string[] settings)
    {
        string whole = Path.Combine(_root, $"{name}-whole");
        var (wholeExit, wholeStdout, wholeError) = await TrainerProcess.RunAsync(["train", "--out", whole, "--seed", "5", .. settings, .. Short]);
        wholeExit.ShouldBe(0, wholeError);
        var uninterrupted = ReadResult(whole);
        string output = Path.Combine(_root, name);

        using (var trainer = TrainerProcess.Start(["train", "--out", output, "--seed", "5", .. settings, .. Short]))
        {
            await trainer.WaitForAsync(e => e.Event == ProgressEvent.Kinds.Checkpoint && e.Step >= 20, TimeSpan.FromMinutes(2));
            trainer.Signal(signal);
            if (signal == 15)
            {
                var interrupted = await trainer.WaitForAsync(e => e.Event == ProgressEvent.Kinds.Interrupted, TimeSpan.FromMinutes(1));
                interrupted.Step.ShouldBe(Checkpoint.ReadHeader(Path.Combine(output, "checkpoint.bin")).Step, "the step it checkpointed as it stopped");
                interrupted.Step.ShouldBeGreaterThanOrEqualTo(20);
            }
            int exitCode = await trainer.WaitForExitAsync();
            exitCode.ShouldBe(signal == 9 ? 137 : 130);
        }
        File.Exists(Path.Combine(output, "result.json")).ShouldBeFalse();
        double earlierWall = Checkpoint.ReadHeader(Path.Combine(output, "checkpoint.bin")).WallSeconds;
        earlierWall.ShouldBeGreaterThan(0);
        var expected = damage?.Invoke(output);

        var (resumedExit, stdout, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, "--seed", "5", "--resume", .. settings, .. Short]);

        resumedExit.ShouldBe(0, stderr);
        var events = Events(stdout);
        var started = events.First(e => e.Event == ProgressEvent.Kinds.Started);
        if (expected is var (resumedFrom, setAside))
        {
            started.ResumedFromStep.ShouldBe(resumedFrom);
            var recovered = events.Where(e => e.Event == ProgressEvent.Kinds.Recovered).Select(e => e.Error!).ToArray();
            recovered.Length.ShouldBe(setAside.Length);
            foreach (var (file, what) in setAside.Zip(recovered))
            {
                what.ShouldStartWith($"{file} is damaged: ");
                stderr.ShouldContain($"warning: {what}");
                Directory.GetFiles(output, $"{file}.corrupt-*").ShouldHaveSingleItem();
            }
        }
        else
        {
            started.ResumedFromStep.ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(20);
        }
        var resumed = ReadResult(output);
        if (damage is null)
        {
            // The first process's time up to its checkpoint, plus the whole of the second's.
            double last = (resumed.Timings.CompletedAt - resumed.Timings.StartedAt).TotalSeconds;
            resumed.Timings.WallSeconds.ShouldBeGreaterThan(earlierWall + last - 0.05);
        }
        JsonSerializer.Serialize(resumed.Snapshots).ShouldBe(JsonSerializer.Serialize(uninterrupted.Snapshots));
        JsonSerializer.Serialize(resumed.Metrics).ShouldBe(JsonSerializer.Serialize(uninterrupted.Metrics));
        // The early metrics of so short a job can be all zeros; the losses logged after the resume cannot.
        Losses(stdout, after: started.ResumedFromStep!.Value).ShouldBe(Losses(wholeStdout, after: started.ResumedFromStep.Value));
    }

    private static ProgressEvent[] Events(string stdout) => stdout.Trim().Split('\n')
        .Select(line => JsonSerializer.Deserialize<ProgressEvent>(line, TrainerJson.Compact)!)
        .ToArray();

    private static (int, double?, double?)[] Losses(string stdout, int after) => Events(stdout)
        .Where(e => e.Event == ProgressEvent.Kinds.Progress && e.Step > after)
        .Select(e => (e.Step, e.GeneratorLoss, e.DiscriminatorLoss))
        .ToArray();

    [Fact]
    public async Task ResumingAFinishedJobDoesNotRerunIt()
    {
        await TrainAsync("finished", "--seed", "2");
        string result = Path.Combine(_root, "finished", "result.json");
        var writtenAt = File.GetLastWriteTimeUtc(result);

        var (exitCode, stdout, _) = await TrainerProcess.RunAsync(["train", "--out", Path.Combine(_root, "finished"), "--seed", "2", "--resume", .. Short]);

        exitCode.ShouldBe(0);
        stdout.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("\"event\":\"completed\"");
        File.GetLastWriteTimeUtc(result).ShouldBe(writtenAt);
    }

    [Fact]
    public async Task ADamagedResultIsSetAsideAndTheJobRerunsFromItsLastCheckpoint()
    {
        var finished = await TrainAsync("damaged-result", "--seed", "2");
        string output = Path.Combine(_root, "damaged-result");
        string result = Path.Combine(output, "result.json");
        File.WriteAllText(result, File.ReadAllText(result)[..100]);

        var (exitCode, stdout, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, "--seed", "2", "--resume", .. Short]);

        exitCode.ShouldBe(0, stderr);
        var events = Events(stdout);
        events[0].Event.ShouldBe(ProgressEvent.Kinds.Recovered);
        events[0].Error.ShouldNotBeNull().ShouldStartWith("result.json is damaged");
        Directory.GetFiles(output, "result.json.corrupt-*").ShouldHaveSingleItem();
        events.First(e => e.Event == ProgressEvent.Kinds.Started).ResumedFromStep.ShouldBe(60);
        var rerun = ReadResult(output);
        JsonSerializer.Serialize(rerun.Metrics).ShouldBe(JsonSerializer.Serialize(finished.Metrics));
        JsonSerializer.Serialize(rerun.Snapshots).ShouldBe(JsonSerializer.Serialize(finished.Snapshots));
    }

    [Fact]
    public async Task ProgressLinesAreJsonAndTheResultHoldsConfigTimingsAndEnvironment()
    {
        string output = Path.Combine(_root, "complete");

        var (exitCode, stdout, _) = await TrainerProcess.RunAsync(["train", "--out", output, "--unroll", "2", "--job-id", "job-42", .. Short]);

        exitCode.ShouldBe(0);
        var events = Events(stdout);
        events[0].Event.ShouldBe(ProgressEvent.Kinds.Started);
        events[^1].Event.ShouldBe(ProgressEvent.Kinds.Completed);
        events.Where(e => e.Event == ProgressEvent.Kinds.Progress).Select(e => e.Step).ShouldBe([10, 20, 30, 40, 50, 60]);
        events.Where(e => e.Event == ProgressEvent.Kinds.Snapshot).Select(e => e.Step).ShouldBe([0, 30, 60]);
        var result = ReadResult(output);
        result.JobId.ShouldBe("job-42");
        result.Config.Unroll.ShouldBe(2);
        result.Config.Steps.ShouldBe(60);
        result.Metrics.Keys.ShouldBe([Experiments.Metrics.ModesCovered, Experiments.Metrics.HighQualityFraction, Experiments.Metrics.ReverseKl]);
        result.Timings.TrainSeconds.ShouldBeGreaterThan(0);
        result.Environment.TorchSharpVersion.ShouldBe("0.107.0");
        result.Environment.LibTorchVersion.ShouldStartWith("2.10");
        result.Environment.Device.ShouldBe("cpu");
        File.Exists(Path.Combine(output, "density.png")).ShouldBeTrue();
        File.Exists(Path.Combine(output, "checkpoint.bin")).ShouldBeTrue();
        File.ReadAllLines(Path.Combine(output, "snapshots.jsonl")).Length.ShouldBe(3);
        // The losses file holds exactly what the progress lines carried, for the sweep page's loss curves.
        var losses = File.ReadAllLines(Path.Combine(output, "losses.jsonl")).Select(l => JsonSerializer.Deserialize<LossPoint>(l, TrainerJson.Compact)!);
        losses.ShouldBe(events.Where(e => e.Event == ProgressEvent.Kinds.Progress).Select(e => new LossPoint(e.Step, e.GeneratorLoss, e.DiscriminatorLoss)));
    }

    private async Task<TrainingResult> TrainAsync(string name, params string[] arguments)
    {
        string output = Path.Combine(_root, name);
        var (exitCode, _, stderr) = await TrainerProcess.RunAsync(["train", "--out", output, .. arguments, .. Short]);
        exitCode.ShouldBe(0, stderr);
        return ReadResult(output);
    }

    private static TrainingResult ReadResult(string folder) =>
        JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(folder, "result.json")), TrainerJson.Options)!;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
