using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web.Tests;

public sealed class SweepViewsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(int unroll, double size, int seed, JobStatus status = JobStatus.Queued) => new()
    {
        Spec = new JobSpec($"k{unroll}-x{size}-s{seed}", "grid", unroll, size, seed,
            JsonSerializer.Serialize(new TrainingConfig { Unroll = unroll, Seed = seed, DiscriminatorSize = size, Steps = 5000, SnapshotInterval = 1000 }, TrainerJson.Compact)),
        Status = status,
        Starts = status == JobStatus.Queued ? 0 : 1,
    };

    private static SweepStatus Status(IReadOnlyList<JobRecord> jobs, IReadOnlyList<JobProgress>? progress = null, SweepPhase phase = SweepPhase.Running) => new()
    {
        Name = "grid", Phase = phase, Jobs = jobs, Progress = progress ?? [], CreatedAt = Now.AddMinutes(-5), ResultsFolder = "/results/grid",
    };

    [Fact]
    public void TheGridHasKAcrossAndSizeTimesSeedDownWhateverOrderTheJobsComeIn()
    {
        var jobs = new List<JobRecord>();
        foreach (double size in new[] { 1.0, 0.5 })
        {
            foreach (int unroll in new[] { 10, 0, 5 })
            {
                foreach (int seed in new[] { 1, 0 })
                {
                    jobs.Add(Job(unroll, size, seed));
                }
            }
        }
        jobs.RemoveAll(j => j.Spec.JobId == "k5-x0.5-s1");

        var view = new SweepViews().View(Status(jobs));

        view.Experiment.ShouldBe(Experiments.MixtureOfGaussians);
        view.Unrolls.ShouldBe([0, 5, 10]);
        view.Rows.Select(r => (r.Size, r.Seed)).ShouldBe([(0.5, 0), (0.5, 1), (1.0, 0), (1.0, 1)]);
        view.Rows[2].Cells.Select(c => c!.JobId).ShouldBe(["k0-x1-s0", "k5-x1-s0", "k10-x1-s0"]);
        view.Rows[1].Cells[1].ShouldBeNull("the grid has no such job");
    }

    [Fact]
    public void CellsCarryLiveProgressAndTroublesListFailedRetriedAndResumedJobs()
    {
        JobRecord[] jobs =
        [
            Job(0, 1, 0, JobStatus.Running),
            Job(0, 1, 1, JobStatus.Succeeded),
            Job(5, 1, 0, JobStatus.Failed) with { FailedAttempts = 3, Starts = 3, FailureReason = "exit code 134: libtorch abort" },
            Job(5, 1, 1, JobStatus.Queued) with { FailedAttempts = 1, Starts = 1, FailureReason = "exit code 137: no message" },
            Job(10, 1, 0, JobStatus.Succeeded) with { Starts = 2 },
            Job(10, 1, 1, JobStatus.Running),
        ];
        JobProgress[] progress = [new("k0-x1-s0", 2500, 5000, 125.5, 20, "silo-a", Now, 1, "")];

        var view = new SweepViews().View(Status(jobs, progress));

        var running = view.Rows[0].Cells[0]!;
        running.ShouldBe(new GridCell("k0-x1-s0", 0, JobStatus.Running, 2500, 5000, 125.5, 20, 1, 0, null, Snapshots: 3));
        view.Rows[1].Cells[0]!.ShouldSatisfyAllConditions(c => c.Step.ShouldBe(5000), c => c.Snapshots.ShouldBe(6));
        view.Rows[1].Cells[2]!.ShouldSatisfyAllConditions(c => c.Step.ShouldBeNull("no progress reported yet"), c => c.Snapshots.ShouldBe(0));
        view.Troubles.Select(t => (t.JobId, t.State, t.Reason)).ShouldBe(
        [
            ("k5-x1-s0", JobStatus.Failed, "exit code 134: libtorch abort"),
            ("k5-x1-s1", JobStatus.Queued, "exit code 137: no message"),
            ("k10-x1-s0", JobStatus.Succeeded, null),
        ]);
        (view.Total, view.Done, view.Succeeded, view.Failed, view.Running, view.Queued).ShouldBe((6, 3, 2, 1, 2, 1));
    }

    [Fact]
    public void TheEtaSpreadsTheQueuedJobsOverTheRunningSlotsAfterTheirOwnEtas()
    {
        JobRecord[] jobs =
        [
            Job(0, 1, 0, JobStatus.Succeeded) with { StartedAt = Now.AddSeconds(-100), EndedAt = Now.AddSeconds(-80) },
            Job(0, 1, 1, JobStatus.Succeeded) with { StartedAt = Now.AddSeconds(-70), EndedAt = Now.AddSeconds(-50) },
            Job(0, 1, 2, JobStatus.Running), Job(0, 1, 3, JobStatus.Running),
            Job(0, 1, 4), Job(0, 1, 5), Job(0, 1, 6), Job(0, 1, 7),
        ];
        // One reported 5 s ago with 15 s to go (10 s now), the other just now with 30 s.
        JobProgress[] progress = [new("k0-x1-s2", 100, 5000, 50, 15, "a", Now.AddSeconds(-5), 1, ""), new("k0-x1-s3", 100, 5000, 50, 30, "a", Now, 1, "")];

        // Jobs take 20 s; the slots hold 10 + 30 s, and 4 queued jobs add 80 s: (40 + 80) / 2 slots = 60 s.
        SweepEta.Estimate(Status(jobs, progress), Now)!.Value.ShouldBe(60, 1e-9);
        // With nothing queued, the sweep ends when its slowest job does.
        SweepEta.Estimate(Status(jobs.Take(4).ToArray(), progress), Now)!.Value.ShouldBe(30, 1e-9);
    }

    [Fact]
    public void TheEtaIsUnknownBeforeAnyRateAndAbsentOnceTheSweepEnded()
    {
        JobRecord[] jobs = [Job(0, 1, 0, JobStatus.Running), Job(0, 1, 1)];

        SweepEta.Estimate(Status(jobs), Now).ShouldBeNull();
        // Before any job finished, a running job's rate implies a job's length, 5000 steps at 100/s: 40 s left, then 50 s.
        SweepEta.Estimate(Status(jobs, [new("k0-x1-s0", 1000, 5000, 100, 40, "a", Now, 1, "")]), Now)!.Value.ShouldBe(90, 1e-9);
        SweepEta.Estimate(Status(jobs, phase: SweepPhase.Completed), Now).ShouldBeNull();
    }
}
