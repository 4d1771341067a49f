using UnrolledGan.Grains.Sweeps;

namespace UnrolledGan.Grains.Tests;

/// <summary>The sweep's job state machine alone: leases, ends, retries, lost silos, cancel.</summary>
public sealed class SweepBookTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static SweepBook Book(int jobs, int retries = 1, int concurrency = 0) => new(
        Enumerable.Range(0, jobs).Select(i => new JobRecord { Spec = new JobSpec($"j{i}", "s", 0, 1, i, "{}") }).ToList(), retries, concurrency);

    private static JobOutcome Outcome(JobLease lease, JobExit exit, string? token = null) =>
        new(lease.Spec.JobId, exit, exit == JobExit.Succeeded ? null : "boom", null, null, lease.Silo, exit == JobExit.Succeeded ? 0 : 1,
            lease.Attempt, token ?? lease.Token);

    [Fact]
    public void LeasesFollowGridOrderAndRespectTheConcurrencyLimit()
    {
        var book = Book(3, concurrency: 2);

        book.Lease("a", null, Now)!.Spec.JobId.ShouldBe("j0");
        book.Lease("b", null, Now)!.Spec.JobId.ShouldBe("j1");
        book.Lease("a", null, Now).ShouldBeNull();
        book.Running.ShouldBe(2);
    }

    [Fact]
    public void AFailureSpendsARetryAndTheNextRunIsANewAttempt()
    {
        var book = Book(1, retries: 1);
        var first = book.Lease("a", null, Now)!;

        book.End(Outcome(first, JobExit.Failed), Now).ShouldBeTrue();
        var second = book.Lease("a", null, Now)!;
        second.Attempt.ShouldBe(2);
        book.End(Outcome(second, JobExit.Failed), Now).ShouldBeTrue();

        var job = book.Jobs.Single();
        (job.Status, job.FailedAttempts, job.FailureReason).ShouldBe((JobStatus.Failed, 2, "boom"));
        book.AllEnded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(JobExit.Interrupted)]
    [InlineData(JobExit.Busy)]
    [InlineData(JobExit.NotStarted)]
    public void InterruptedBusyOrUnstartedRunsGoBackToTheQueueWithoutSpendingARetry(JobExit exit)
    {
        var book = Book(1, retries: 0);
        book.End(Outcome(book.Lease("a", null, Now)!, exit), Now);

        book.Jobs.Single().Status.ShouldBe(JobStatus.Queued);
        book.Jobs.Single().FailedAttempts.ShouldBe(0);
    }

    [Fact]
    public void ABusyJobWaitsItsBackoffBeforeItIsHandedOutAgain()
    {
        var book = Book(2);
        book.End(Outcome(book.Lease("a", null, Now)!, JobExit.Busy), Now);

        book.Lease("a", null, Now)!.Spec.JobId.ShouldBe("j1");
        book.Lease("a", null, Now + SweepBook.BusyBackoff / 2).ShouldBeNull();
        book.Lease("a", null, Now + SweepBook.BusyBackoff)!.Spec.JobId.ShouldBe("j0");
    }

    [Fact]
    public void ASuccessIsRecordedAtThePointOfTheConfigThatRan()
    {
        var book = Book(2, retries: 2);
        var planned = book.Lease("a", null, Now)!;
        var other = book.Lease("a", null, Now)!;

        book.End(Outcome(planned, JobExit.Succeeded) with { Ran = new GridPoint(0, 1, 0) }, Now).ShouldBeTrue();
        // j1 is K = 0, size 1, seed 1; a result of seed 7 in its folder is some other run's.
        book.End(Outcome(other, JobExit.Succeeded) with { Ran = new GridPoint(0, 1, 7) }, Now).ShouldBeTrue();

        book.Jobs[0].ShouldSatisfyAllConditions(j => j.Status.ShouldBe(JobStatus.Succeeded), j => j.Ran.ShouldBe(new GridPoint(0, 1, 0)));
        book.Jobs[1].ShouldSatisfyAllConditions(
            j => j.Status.ShouldBe(JobStatus.Failed, "a rerun would read the same result, so no retry is spent on it"),
            j => j.Ran.ShouldBeNull(),
            j => j.FailureReason.ShouldBe("the trainer's result is of K = 0, size 1, seed 7, not of this job's K = 0, size 1, seed 1: " +
                "the config in its result.json is not the one the sweep planned, so it is kept out of the table"));
    }

    [Fact]
    public void BadInputIsNotRetried()
    {
        var book = Book(1, retries: 5);
        book.End(Outcome(book.Lease("a", null, Now)!, JobExit.BadInput), Now);

        book.Jobs.Single().Status.ShouldBe(JobStatus.Failed);
    }

    [Fact]
    public void OnlyTheRunThatHoldsTheLeaseIsHeardAndItsEndCountsOnce()
    {
        var book = Book(1);
        var lost = book.Lease("dead", null, Now)!;
        book.RequeueLost(_ => "its silo was declared dead", Now).ShouldBe(["j0"]);
        var current = book.Lease("b", null, Now)!;

        current.Token.ShouldNotBe(lost.Token);
        current.Token.Length.ShouldBe(32);
        book.Holds("j0", lost.Token).ShouldBeFalse();
        book.End(Outcome(lost, JobExit.Failed), Now).ShouldBeFalse();
        book.End(Outcome(lost, JobExit.Succeeded), Now).ShouldBeFalse();
        book.End(Outcome(current, JobExit.Succeeded, token: "forged"), Now).ShouldBeFalse();
        book.Jobs.Single().Status.ShouldBe(JobStatus.Running);

        book.Holds("j0", current.Token).ShouldBeTrue();
        book.End(Outcome(current, JobExit.Succeeded), Now).ShouldBeTrue();
        book.End(Outcome(current, JobExit.Succeeded), Now).ShouldBeFalse();
        book.Holds("j0", current.Token).ShouldBeFalse();
        book.Jobs.Single().Status.ShouldBe(JobStatus.Succeeded);
        book.Jobs.Single().FailedAttempts.ShouldBe(0);
    }

    [Fact]
    public void ALostRunIsKeptWithItsJobAndEveryLaterLeaseCarriesItForTheRunRecord()
    {
        var book = Book(1);
        var leasedAt = Now + TimeSpan.FromMinutes(1);
        var lostAt = leasedAt + TimeSpan.FromSeconds(40);
        var first = book.Lease("dead", null, leasedAt)!;
        book.RequeueLost(_ => "its silo was declared dead", lostAt);

        var second = book.Lease("b", null, lostAt)!;
        var lost = new LostRun(first.Attempt, "dead", leasedAt, lostAt, "its silo was declared dead");
        second.LostRuns.ShouldNotBeNull().ShouldBe([lost]);
        book.Jobs.Single().LostRuns.ShouldNotBeNull().ShouldBe([lost]);

        // Lost again: both are kept, oldest first, and a run that ended is not a lost one.
        book.RequeueLost(_ => "nothing was heard of it for 00:02:00", lostAt + TimeSpan.FromMinutes(3));
        var third = book.Lease("c", null, lostAt + TimeSpan.FromMinutes(3))!;
        third.LostRuns!.Select(r => (r.Attempt, r.Silo)).ShouldBe([(1, "dead"), (2, "b")]);
        book.End(Outcome(third, JobExit.Succeeded), Now).ShouldBeTrue();
        book.Jobs.Single().LostRuns!.Count.ShouldBe(2);
    }

    [Fact]
    public void RunsOnALiveSiloAreNotRequeued()
    {
        var book = Book(2);
        book.Lease("alive", null, Now);
        book.Lease("dead", null, Now);

        book.RequeueLost(job => job.Silo == "alive" ? null : "its silo was declared dead", Now).ShouldBe(["j1"]);
        book.Jobs.Select(j => j.Status).ShouldBe([JobStatus.Running, JobStatus.Queued]);
    }

    [Fact]
    public void CancelEndsEverythingUnfinishedAndReturnsTheRunsToKill()
    {
        var book = Book(3);
        var done = book.Lease("a", null, Now)!;
        book.End(Outcome(done, JobExit.Succeeded), Now);
        var running = book.Lease("a", null, Now)!;

        book.Cancel(Now).Select(l => l.TrainerKey).ShouldBe([running.TrainerKey]);
        book.Jobs.Select(j => j.Status).ShouldBe([JobStatus.Succeeded, JobStatus.Cancelled, JobStatus.Cancelled]);
        var specs = book.Jobs.Select(j => j.Spec).ToList();
        book.Resubmit("s", sameSpec: true, specs).ShouldBeTrue();
        book.Jobs.Select(j => j.Status).ShouldBe([JobStatus.Succeeded, JobStatus.Queued, JobStatus.Queued]);
    }

    [Fact]
    public void ResubmittingADifferentSpecOrGridUnderTheSameNameIsRefusedNamingTheField()
    {
        var book = Book(2);
        var specs = book.Jobs.Select(j => j.Spec).ToList();

        Should.Throw<SweepSpecException>(() => book.Resubmit("s", sameSpec: false, specs)).Message.ShouldContain("name");
        Should.Throw<SweepSpecException>(() => book.Resubmit("s", sameSpec: true, specs.Take(1).ToList()));
        book.Resubmit("s", sameSpec: true, specs).ShouldBeFalse();
    }
}

public sealed class LongestFirstDispatchTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static JobRecord Job(string id, int unroll, double size = 1, int steps = 100) =>
        new() { Spec = new JobSpec(id, "s", unroll, size, 0, $$"""{"steps":{{steps}}}""") };

    private static string[] LeaseAll(SweepBook book)
    {
        var order = new List<string>();
        while (book.Lease("a", null, Now) is { } lease)
        {
            order.Add(lease.Spec.JobId);
        }
        return order.ToArray();
    }

    [Fact]
    public void TheMostUnrolledJobsStartFirstAndGridOrderKeepsTheSpecsOrder()
    {
        List<JobRecord> Grid() => [Job("k0", 0), Job("k1", 1), Job("k5", 5), Job("k10", 10)];

        LeaseAll(new SweepBook(Grid(), 1, 0)).ShouldBe(["k10", "k5", "k1", "k0"]);
        LeaseAll(new SweepBook(Grid(), 1, 0, SweepDispatch.GridOrder)).ShouldBe(["k0", "k1", "k5", "k10"]);
    }

    [Fact]
    public void StepsAndSizeCountAndTiesKeepGridOrder()
    {
        var book = new SweepBook([Job("short", 5, steps: 100), Job("long", 0, steps: 1000), Job("wide", 0, size: 8), Job("twin", 0, size: 8)], 1, 0);

        LeaseAll(book).ShouldBe(["long", "wide", "twin", "short"]);
    }

    [Fact]
    public void FinishedJobsMeasuredCostsReplaceTheGuess()
    {
        // By the guess, a K = 0 job at size 2 (cost 2 a step) goes before a K = 1 job at size 1 (1.5 a step).
        var finishedK1 = Job("done-k1", 1) with { Status = JobStatus.Succeeded, TrainSeconds = 300 };
        var finishedWide = Job("done-wide", 0, size: 2) with { Status = JobStatus.Succeeded, TrainSeconds = 100 };
        LeaseAll(new SweepBook([Job("k1", 1), Job("wide", 0, size: 2)], 1, 0)).ShouldBe(["wide", "k1"]);

        // The sweep's own jobs say K = 1 at size 1 takes 3 s a step here, and K = 0 at size 2 takes 1 s.
        LeaseAll(new SweepBook([finishedK1, finishedWide, Job("k1", 1), Job("wide", 0, size: 2)], 1, 0)).ShouldBe(["k1", "wide"]);
    }
}
