using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Tests;

/// <summary>A trainer cannot take its node down: its memory is checked before it is queued and bounded while it runs.</summary>
public sealed class TrainerLimitsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>Within every field's bound, about 3.3 GiB by the estimate: K = 10 at the largest batch.</summary>
    private static SweepSpec Huge(string name) => SweepCluster.Spec(name, steps: 5, unroll: [10], seeds: [0], retries: 0) with
    {
        Overrides = new Dictionary<string, string> { ["batchSize"] = "65536" },
    };

    [Theory]
    [InlineData("JobMemoryLimit", "lots")]
    [InlineData("JobMemoryLimit", "100MiB")]
    [InlineData("TrainerMemoryLimit", "-2G")]
    public void AMemoryLimitThatIsNoSizeOrTooSmallIsRefusedNamingTheSetting(string setting, string value)
    {
        var options = setting == nameof(WorkerOptions.JobMemoryLimit)
            ? new WorkerOptions { JobMemoryLimit = value }
            : new WorkerOptions { TrainerMemoryLimit = value };

        var problem = options.Validate(new ValidationContext(options)).ShouldHaveSingleItem();

        problem.MemberNames.ShouldBe([setting]);
        problem.ErrorMessage.ShouldBe($"{setting} must be a size of at least 512MiB such as 8GiB (got '{value}')");
    }

    [Fact]
    public void TheTrainerLimitDefaultsToTheJobLimit() =>
        new WorkerOptions { JobMemoryLimit = "6GiB" }.TrainerMemoryLimitBytes.ShouldBe(6L << 30);

    [Fact]
    public async Task ASweepWhoseJobsNeedMoreThanTheJobMemoryLimitIsRefusedAtSubmission()
    {
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, settings: new Dictionary<string, string?>
        {
            ["Workers:JobMemoryLimit"] = "1GiB",
        });

        var error = await Should.ThrowAsync<SweepSpecException>(() => cluster.Sweep("huge").SubmitAsync(Huge("huge")));

        error.Message.ShouldStartWith("overrides.batchSize: at K = 10 and size 1 the job needs about 3.");
        error.Message.ShouldEndWith("GiB, over Workers:JobMemoryLimit 1 GiB");
        (await cluster.Sweep("huge").GetStatusAsync()).ShouldBeNull();
        Directory.Exists(Path.Combine(cluster.Results, "huge")).ShouldBeFalse();
    }

    [Fact]
    public async Task ATrainerOverItsMemoryLimitFailsItsJobNamingTheLimit()
    {
        // Admitted (3.3 GiB is under the default 8 GiB), but each trainer may use only 600 MiB.
        await using var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, settings: new Dictionary<string, string?>
        {
            ["Workers:TrainerMemoryLimit"] = "600MiB",
        });
        await cluster.Sweep("over").SubmitAsync(Huge("over"));

        var status = await cluster.WaitForAsync("over", s => s.Phase == SweepPhase.Completed, Timeout);

        var job = status.Jobs.Single();
        job.Status.ShouldBe(JobStatus.Failed);
        job.FailureReason.ShouldNotBeNull().ShouldContain("exit code 1: error: InsufficientMemoryException: the trainer exceeded its memory limit of 600 MiB");
        await cluster.WaitForFreeSlotsAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AStoppingSiloKillsATrainerThatIgnoresSigtermAfterTheGrace()
    {
        var cluster = await SweepCluster.StartAsync(silos: 1, slotsPerSilo: 1, settings: new Dictionary<string, string?>
        {
            ["Workers:ShutdownGrace"] = "00:00:02",
        });
        int trainer;
        try
        {
            await cluster.Sweep("deaf").SubmitAsync(SweepCluster.Spec("deaf", steps: 100_000, unroll: [0], seeds: [0]));
            await cluster.WaitForAsync("deaf", s => s.Progress.Any(p => p.Step >= 50), Timeout);
            trainer = cluster.Workers.Single().Runner.ProcessIds.Single();
            // A stopped process cannot act on SIGTERM; only the SIGKILL after the grace ends it.
            Process.Start("kill", ["-STOP", trainer.ToString()])!.WaitForExit();
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        // The kill is sent before the silo finishes stopping; the kernel may take a moment to end the process.
        await SweepGrainTests.WaitUntilAsync(() => !SweepGrainTests.IsRunning(trainer));
    }
}
