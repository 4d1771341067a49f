using System.Diagnostics;
using System.Text.Json;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>`run` on its embedded silo, as a user types it: an interrupt stops it cleanly and the same command resumes.</summary>
public sealed class EmbeddedRunTests
{
    [Fact]
    public async Task AnInterruptedRunStopsCleanlyAndTheSameCommandResumesWithoutRerunningFinishedJobs()
    {
        string work = Directory.CreateTempSubdirectory("unrolledgan-run-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Cluster__SiloPort"] = Programs.FreePorts(1).ToString(),
            ["Cluster__GatewayPort"] = Programs.FreePorts(1).ToString(),
            ["XDG_RUNTIME_DIR"] = Path.Combine(work, "run"),
        };
        string[] run =
        [
            "run", "--name", "ctrlc", "--unroll", "0", "--seeds", "2", "--steps", "4000", "--slots", "1",
            "--set", "checkpointInterval=250", "--set", "logInterval=50", "--set", "snapshotInterval=1500",
        ];

        using var first = Programs.Start(Programs.Client, run, environment, work);
        // Interrupt once the first job is finished and the second has written a checkpoint.
        string jobs = Path.Combine(work, "results", "ctrlc", "jobs");
        await WaitForFilesAsync(jobs, ["-s0-", "result.json"], ["-s1-", "checkpoint.bin"]);
        // SIGTERM takes the same path as Ctrl-C's SIGINT (the command's cancellation), but unlike SIGINT it is not
        // ignored in processes a shell started in the background, as CI may run these tests.
        Process.Start("kill", ["-TERM", first.Id.ToString()])!.WaitForExit();
        await first.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        first.ExitCode.ShouldBe(130);

        string finished = Directory.GetDirectories(jobs).Single(d => File.Exists(Path.Combine(d, "result.json")));
        var finishedAt = File.GetLastWriteTimeUtc(Path.Combine(finished, "result.json"));

        var second = await Programs.RunClientAsync(run, environment, work, TimeSpan.FromMinutes(2));
        second.ExitCode.ShouldBe(0, second.Output + second.Error);
        second.Output.ShouldContain("2 jobs (1 already done)");
        // The page's address, and a login link made with the token the embedded silo wrote for its user.
        second.Output.ShouldContain("log in (once, within 5 minutes): http://127.0.0.1:");
        File.GetLastWriteTimeUtc(Path.Combine(finished, "result.json")).ShouldBe(finishedAt);
        string resumed = Directory.GetDirectories(jobs).Single(d => d != finished);
        var result = JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(resumed, "result.json")), TrainerJson.Options)!;
        result.Timings.ResumedFromStep.ShouldBeGreaterThanOrEqualTo(250);
    }

    /// <summary>Waits until, for each (job id part, file name), a job folder matching the part holds the file.</summary>
    private static async Task WaitForFilesAsync(string jobs, params string[][] wanted)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        bool Present(string[] want) => Directory.Exists(jobs) && Directory.GetDirectories(jobs)
            .Any(d => Path.GetFileName(d).Contains(want[0]) && File.Exists(Path.Combine(d, want[1])));
        while (!wanted.All(Present))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"the run never reached the point to interrupt in {jobs}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }
}
