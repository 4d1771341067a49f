using System.Diagnostics;
using System.Text.Json;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>A sweep in a real silo: watched and left running, then cancelled and read back through every verb a user or a script would try.</summary>
public sealed class CancelledSweepTests
{
    [Fact]
    public async Task AWatchStoppedByCtrlCLeavesTheSweepRunningAndACancelledSweepReadsTheSameEverywhere()
    {
        string work = Directory.CreateTempSubdirectory("unrolledgan-cancel-").FullName;
        string gateway = $"127.0.0.1:{Programs.FreePorts(1)}";
        var environment = new Dictionary<string, string>
        {
            ["Results__Folder"] = Path.Combine(work, "results"),
            ["Cluster__SiloPort"] = Programs.FreePorts(1).ToString(),
            ["Cluster__GatewayPort"] = gateway.Split(':')[1],
            ["Telemetry__PrometheusPort"] = "0",
            ["Dashboard__Port"] = "0",
            ["Workers__CpuSlots"] = "1",
            ["Workers__Gpus"] = "none",
        };
        using var silo = Programs.Start(Programs.Silo, [], environment, work);
        try
        {
            await Programs.WaitForGatewayAsync(gateway, work);
            // Scripts name the cluster once, in the environment.
            var client = new Dictionary<string, string> { ["UNROLLEDGAN_GATEWAY"] = gateway };
            async Task<(int ExitCode, string Output, string Error)> Client(params string[] arguments) =>
                await Programs.RunClientAsync(arguments, client, work, TimeSpan.FromMinutes(1));

            var submit = await Client("submit", "--name", "cut", "--unroll", "0,5", "--seeds", "2", "--steps", "100000", "--json");
            submit.ExitCode.ShouldBe(0, submit.Error);
            using (var submitted = JsonDocument.Parse(submit.Output))
            {
                submitted.RootElement.GetProperty("total").GetInt32().ShouldBe(4);
            }
            // watch --json, stopped as Ctrl-C stops it: its lines were JSON, and it says the sweep goes on without it.
            using (var watching = Process.Start(Programs.StartInfo(Programs.Client, ["watch", "cut", "--json"], client, work))!)
            {
                string first = (await watching.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)
                    .AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken))!;
                using (var progress = JsonDocument.Parse(first))
                {
                    progress.RootElement.GetProperty("event").GetString().ShouldBe("progress");
                    progress.RootElement.GetProperty("counts").GetProperty("total").GetInt32().ShouldBe(4);
                }
                // SIGTERM takes Ctrl-C's path (the command's cancellation) and is not ignored in a background process.
                Process.Start("kill", ["-TERM", watching.Id.ToString()])!.WaitForExit();
                var error = watching.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                await watching.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
                watching.ExitCode.ShouldBe(130);
                (await error).ShouldContain("the sweep goes on in the cluster (watch cut --gateway ");
            }
            var cancel = await Client("cancel", "cut");
            cancel.ExitCode.ShouldBe(0, cancel.Error);

            const string Outcome = "cancelled: 0 of 4 succeeded, 4 cancelled";
            cancel.Output.ShouldContain(Outcome);
            (await Client("status", "cut")).Output.ShouldContain($"cut: {Outcome}");
            (await Client("list")).Output.ShouldContain(Outcome);
            var results = await Client("results", "cut");
            results.Output.ShouldStartWith($"cut: {Outcome}");
            results.Output.ShouldContain("No job failed; 4 jobs cancelled; cells say how many of theirs.");
            results.Output.ShouldContain("(n = 0 of 2, 2 cancelled)");

            // watch of an ended sweep: its one JSON line is how it ended; a cancelled sweep is not "all succeeded".
            var watch = await Client("watch", "cut", "--json");
            watch.ExitCode.ShouldBe(1, watch.Error);
            using var ended = JsonDocument.Parse(watch.Output.Trim().Split('\n').ShouldHaveSingleItem());
            ended.RootElement.GetProperty("event").GetString().ShouldBe("ended");
            ended.RootElement.GetProperty("counts").GetProperty("cancelled").GetInt32().ShouldBe(4);
            using var listed = JsonDocument.Parse((await Client("list", "--json")).Output);
            listed.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "cut")
                .GetProperty("cancelled").GetInt32().ShouldBe(4);
        }
        finally
        {
            silo.Kill(entireProcessTree: true);
        }
    }
}
