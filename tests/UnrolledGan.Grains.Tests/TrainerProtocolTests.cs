using UnrolledGan.Grains.Workers;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>The trainer↔silo contract: how a run's exit code and last progress line become what the sweep does next.</summary>
public sealed class TrainerProtocolTests
{
    [Theory]
    [InlineData(false, 0, "completed", JobExit.Succeeded)]
    // Exit 0 without a "completed" line: the process ended, the job did not.
    [InlineData(false, 0, "progress", JobExit.Failed)]
    [InlineData(false, 0, null, JobExit.Failed)]
    [InlineData(false, 1, "failed", JobExit.Failed)]
    [InlineData(false, 2, null, JobExit.BadInput)]
    [InlineData(false, 2, "completed", JobExit.BadInput)]
    [InlineData(false, 75, null, JobExit.Busy)]
    [InlineData(false, 130, "interrupted", JobExit.Interrupted)]
    [InlineData(false, 137, "checkpoint", JobExit.Failed)] // SIGKILL
    [InlineData(false, 134, "progress", JobExit.Failed)]   // a native abort
    [InlineData(false, -1, null, JobExit.Failed)]
    [InlineData(true, 0, "completed", JobExit.Cancelled)]
    [InlineData(true, 137, "progress", JobExit.Cancelled)]
    [InlineData(true, 130, "interrupted", JobExit.Cancelled)]
    public void ARunsEndIsReadFromItsExitCodeAndLastProgressLine(bool cancelled, int exitCode, string? lastEvent, JobExit expected)
    {
        var last = lastEvent is null ? null : new ProgressEvent { Event = lastEvent, Step = 10, TotalSteps = 10 };

        TrainerRunner.ExitOf(cancelled, exitCode, last).ShouldBe(expected);
    }

    [Fact]
    public void TheExitCodesAreTheOnesShellsAndSysexitsUse()
    {
        (TrainerProtocol.ExitCodes.Success, TrainerProtocol.ExitCodes.Failed, TrainerProtocol.ExitCodes.BadInput).ShouldBe((0, 1, 2));
        TrainerProtocol.ExitCodes.Busy.ShouldBe(75);            // EX_TEMPFAIL
        TrainerProtocol.ExitCodes.Interrupted.ShouldBe(128 + 2); // SIGINT
    }

    [Fact]
    public void TheJobFolderNamesTheFilesTheSiloAndTheTrainerShare()
    {
        var layout = new RunLayout("/results/sweep/jobs/k0-s0");

        (layout.Job, layout.Result, layout.Checkpoint, layout.PreviousCheckpoint).ShouldBe((
            "/results/sweep/jobs/k0-s0/job.json", "/results/sweep/jobs/k0-s0/result.json",
            "/results/sweep/jobs/k0-s0/checkpoint.bin", "/results/sweep/jobs/k0-s0/checkpoint.prev.bin"));
    }
}
