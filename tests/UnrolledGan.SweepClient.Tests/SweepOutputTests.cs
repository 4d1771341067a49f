using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.SweepClient.Views;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>What `status`, `list` and `--json` print for a sweep, from the records the grains return.</summary>
public sealed class SweepOutputTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void ACancelledSweepReadsTheSameInStatusAndList()
    {
        var status = Status(SweepPhase.Cancelled, JobStatus.Succeeded, JobStatus.Succeeded,
            JobStatus.Cancelled, JobStatus.Cancelled, JobStatus.Cancelled, JobStatus.Cancelled);
        var entry = new SweepEntry("q", "mixture-of-gaussians", SweepPhase.Cancelled, Total: 6, Succeeded: 2, Failed: 0, Created);

        SweepView.Summary(status).ShouldBe("q: cancelled: 2 of 6 succeeded, 4 cancelled");
        SweepView.ListLine(entry).ShouldContain("cancelled: 2 of 6 succeeded, 4 cancelled");
        SweepView.Cancelled(entry).ShouldBe(4);
    }

    [Fact]
    public void ARunningSweepSaysWhatIsLeftAndAnEndedOneHowItsJobsEnded()
    {
        SweepView.Summary(Status(SweepPhase.Running, JobStatus.Succeeded, JobStatus.Running, JobStatus.Queued, JobStatus.Failed))
            .ShouldBe("q: 2/4 done, 1 running, 1 queued, 1 failed");
        SweepView.Summary(Status(SweepPhase.Completed, JobStatus.Succeeded, JobStatus.Failed))
            .ShouldBe("q: completed: 1 of 2 succeeded, 1 failed");
        SweepView.ListLine(new SweepEntry("q", "mnist", SweepPhase.Running, 4, 1, 1, Created))
            .ShouldContain("running: 1 of 4 succeeded, 1 failed ");
    }

    [Fact]
    public void StatusJsonNestsEachJobsConfigAsAnObject()
    {
        var status = Status(SweepPhase.Cancelled, JobStatus.Succeeded, JobStatus.Cancelled);

        using var json = JsonDocument.Parse(SweepJson.Status(status));

        var spec = json.RootElement.GetProperty("jobs")[0].GetProperty("spec");
        spec.TryGetProperty("configJson", out _).ShouldBeFalse();
        spec.GetProperty("config").GetProperty("mixture").GetProperty("initGain").GetDouble().ShouldBe(0.8);
        json.RootElement.GetProperty("phase").GetString().ShouldBe("Cancelled");
        json.RootElement.GetProperty("counts").GetProperty("cancelled").GetInt32().ShouldBe(1);
        json.RootElement.GetProperty("jobs")[1].GetProperty("status").GetString().ShouldBe("Cancelled");
        // Scripts (and the cluster tests) that read it back as the grain's record still can.
        var read = JsonSerializer.Deserialize<SweepStatus>(SweepJson.Status(status),
            new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } })!;
        read.Jobs.Select(j => (j.Spec.JobId, j.Status)).ShouldBe(status.Jobs.Select(j => (j.Spec.JobId, j.Status)));
    }

    [Fact]
    public void ListJsonCountsTheCancelledJobsTheCatalogDoesNotKeep()
    {
        SweepEntry[] entries =
        [
            new("q", "mixture-of-gaussians", SweepPhase.Cancelled, 6, 2, 1, Created),
            new("r", "mixture-of-gaussians", SweepPhase.Running, 6, 2, 1, Created),
        ];

        using var json = JsonDocument.Parse(SweepJson.List(entries));

        json.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("cancelled").GetInt32()))
            .ShouldBe([("q", 3), ("r", 0)]);
        json.RootElement[0].GetProperty("createdAt").GetDateTimeOffset().ShouldBe(Created);
    }

    [Fact]
    public void WatchJsonIsOneObjectALine()
    {
        var status = Status(SweepPhase.Running, JobStatus.Running, JobStatus.Queued) with
        {
            Progress = [new JobProgress("q-0", 250, 1000, 40.5, 18.5, "silo-a", Created, 1, "token")],
        };

        string line = SweepJson.ProgressLine(status, Created);

        line.Contains('\n').ShouldBeFalse();
        using var json = JsonDocument.Parse(line);
        json.RootElement.GetProperty("event").GetString().ShouldBe("progress");
        json.RootElement.GetProperty("counts").GetProperty("queued").GetInt32().ShouldBe(1);
        var running = json.RootElement.GetProperty("running")[0];
        (running.GetProperty("jobId").GetString(), running.GetProperty("step").GetInt32(), running.GetProperty("etaSeconds").GetDouble())
            .ShouldBe(("q-0", 250, 18.5));
        line.Contains("token").ShouldBeFalse("a lease token is not for scripts to see");
    }

    private static SweepStatus Status(SweepPhase phase, params JobStatus[] jobs) => new()
    {
        Name = "q",
        Phase = phase,
        Jobs = jobs.Select((s, i) => new JobRecord
        {
            Spec = new JobSpec($"q-{i}", "q", Unroll: i, Size: 1, Seed: 0, """{"steps":1000,"mixture":{"initGain":0.8}}"""),
            Status = s,
        }).ToArray(),
        Progress = [],
        CreatedAt = Created,
        ResultsFolder = "/results/q",
    };
}
