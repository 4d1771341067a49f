using System.Diagnostics;
using System.Text.Json;
using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>Two real silo processes and the real client, on localhost; one silo is killed mid-sweep.</summary>
public sealed class ClusterEndToEndTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    [Fact]
    public async Task JobsOfAKilledSiloAreRunElsewhereAndEveryJobEndsWithExactlyOneResult()
    {
        string work = Directory.CreateTempSubdirectory("unrolledgan-e2e-").FullName;
        int siloPort = Programs.FreePorts(2), gatewayPort = Programs.FreePorts(2);
        int metricsPort = Programs.FreePorts(2), dashboardPort = Programs.FreePorts(2);
        var environment = new Dictionary<string, string>
        {
            ["Results__Folder"] = Path.Combine(work, "results"),
            ["Cluster__SiloPort"] = siloPort.ToString(),
            ["Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Telemetry__PrometheusPort"] = metricsPort.ToString(),
            ["Dashboard__Port"] = dashboardPort.ToString(),
            // Where the silos write their web ports' operator tokens: this test's own folder.
            ["XDG_RUNTIME_DIR"] = Path.Combine(work, "run"),
            ["Workers__CpuSlots"] = "1",
            ["Workers__Gpus"] = "none",
            ["Workers__PollInterval"] = "00:00:00.500",
        };
        string gateway = $"127.0.0.1:{gatewayPort}";
        using var primary = Programs.Start(Programs.Silo, [], environment, work);
        Process? worker = null;
        try
        {
            await Programs.WaitForGatewayAsync(gateway, work);
            worker = Programs.Start(Programs.Silo, ["--Cluster:Instance=1"], environment, work);
            // K = 5 and 10 run 60-120 steps/s, so a job spends seconds past step 300 where the test can see it and
            // kill it; at K = 0 the whole job took about 4 s and the test could miss that window on a loaded machine.
            var submit = await Client(work, "submit", "--gateway", gateway, "--name", "e2e", "--unroll", "5,10", "--seeds", "2", "--steps", "1500",
                "--set", "checkpointInterval=250", "--set", "logInterval=50", "--set", "snapshotInterval=1500");
            submit.ExitCode.ShouldBe(0, submit.Error);

            // Kill the second silo while it trains a job past a checkpoint.
            string workerPort = $":{siloPort + 1}@";
            await WaitForStatusAsync(work, gateway, s => s.Jobs.Any(j => j.Status == JobStatus.Running && j.Silo!.Contains(workerPort)
                && s.Progress.Any(p => p.JobId == j.Spec.JobId && p.Step >= 300)));
            var killedJobs = (await StatusAsync(work, gateway)).Jobs
                .Where(j => j.Status == JobStatus.Running && j.Silo!.Contains(workerPort)).Select(j => j.Spec.JobId).ToArray();
            worker.Kill();

            // Asked at once, before membership has declared the silo dead (the sweep's grain may have lived there):
            // whatever it answers, one line and a documented exit code, never a stack trace.
            var during = await Client(work, "status", "e2e", "--gateway", gateway);
            during.ExitCode.ShouldBeOneOf([0, 1], during.Error);
            (during.Output + during.Error).ShouldNotContain("   at ");

            var watch = await Programs.RunClientAsync(["watch", "e2e", "--gateway", gateway], environment, work, TimeSpan.FromMinutes(8));
            watch.ExitCode.ShouldBe(0, watch.Output + watch.Error);
            watch.Output.ShouldContain("| K = 5 | K = 10 |");

            var status = await StatusAsync(work, gateway);
            status.Jobs.Count.ShouldBe(4);
            status.Jobs.ShouldAllBe(j => j.Status == JobStatus.Succeeded && j.FailedAttempts == 0);
            foreach (var job in status.Jobs)
            {
                string folder = Path.Combine(work, "results", "e2e", "jobs", job.Spec.JobId);
                var result = JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(folder, "result.json")), TrainerJson.Options)!;
                result.JobId.ShouldBe(job.Spec.JobId);
                // Killed jobs ran again, continuing from their checkpoint; the others trained once from step 0. (A
                // lease may be handed back unstarted while the dead silo is suspected, so Starts can exceed runs.)
                if (killedJobs.Contains(job.Spec.JobId))
                {
                    job.Starts.ShouldBeGreaterThanOrEqualTo(2);
                    result.Timings.ResumedFromStep.ShouldBeGreaterThanOrEqualTo(250);
                }
                else
                {
                    result.Timings.ResumedFromStep.ShouldBe(0);
                }
            }
            // The killed silo's trainers stopped with it (their parent-pid watchdog).
            Programs.ProcessesWith($"--parent-pid {worker.Id}").ShouldBeEmpty();

            // The surviving silo's telemetry saw the jobs it finished, beside Orleans' own metrics, and serves its dashboard.
            using var http = new HttpClient();
            string metrics = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics", TestContext.Current.CancellationToken);
            // The dashboard needs the operator token, loopback too: the one the silo wrote for its user at start.
            http.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(work, "run", "unrolledgan", $"web-{dashboardPort}.token")).Trim());
            metrics.ShouldContain("unrolledgan_jobs_succeeded_total");
            metrics.ShouldContain("unrolledgan_job_duration_seconds_bucket");
            metrics.ShouldContain("orleans_");
            string dashboard = await http.GetStringAsync($"http://127.0.0.1:{dashboardPort}/dashboard/", TestContext.Current.CancellationToken);
            dashboard.ShouldContain("Orleans Dashboard");
        }
        finally
        {
            worker?.Kill(entireProcessTree: true);
            primary.Kill(entireProcessTree: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> Client(string work, params string[] arguments) =>
        Programs.RunClientAsync(arguments, new Dictionary<string, string>(), work, TimeSpan.FromMinutes(1));

    private static async Task<SweepStatus> StatusAsync(string work, string gateway)
    {
        var result = await Client(work, "status", "e2e", "--json", "--gateway", gateway);
        result.ExitCode.ShouldBe(0, result.Error);
        return JsonSerializer.Deserialize<SweepStatus>(result.Output, Json)!;
    }

    private static async Task WaitForStatusAsync(string work, string gateway, Func<SweepStatus, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition(await StatusAsync(work, gateway)))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("the sweep never had a running job on the second silo");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }
}
