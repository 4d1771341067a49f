using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// A `kill -9` of one of two silo processes mid-job, as the README's new user did it: what the surviving silo's log
/// says until the dead one is declared dead, and the killed run in its job's run record. The scenario runs once.
/// </summary>
public sealed partial class PeerKilledTests(PeerKilledTests.Scenario scenario) : IClassFixture<PeerKilledTests.Scenario>
{
    [Fact]
    public void TheSurvivorsLogSaysItInAFewLinesWithoutStackTraces()
    {
        // Before the log rules: about 60 lines here, most of them Orleans stack traces, for one dead peer.
        scenario.SurvivorLinesUntilDeclaredDead.ShouldNotBeEmpty();
        scenario.SurvivorLinesUntilDeclaredDead.Count.ShouldBeLessThanOrEqualTo(8, string.Join('\n', scenario.SurvivorLinesUntilDeclaredDead));
        scenario.SurvivorLinesUntilDeclaredDead.ShouldNotContain(line => line.StartsWith("   at ", StringComparison.Ordinal));
        scenario.SurvivorLinesUntilDeclaredDead[^1].ShouldContain($"Silo S127.0.0.1:{scenario.KilledSiloPort}:");
        scenario.SurvivorLinesUntilDeclaredDead[^1].ShouldContain("was declared dead");
    }

    [Fact]
    public void TheKilledRunIsInItsJobsRunRecordBeforeTheRunThatResumedIt()
    {
        var runs = scenario.KilledJobRuns;

        runs.Count.ShouldBe(2, string.Join('\n', runs));
        var (lost, resumed) = (runs[0], runs[1]);
        lost.GetProperty("attempt").GetInt32().ShouldBe(1);
        lost.GetProperty("exit").GetString().ShouldBe("Lost");
        lost.GetProperty("silo").GetString().ShouldStartWith($"127.0.0.1:{scenario.KilledSiloPort}@");
        lost.GetProperty("reason").GetString().ShouldBe("its silo was declared dead");
        lost.GetProperty("trainedToEnd").GetBoolean().ShouldBeFalse();
        (lost.GetProperty("endedAt").GetDateTimeOffset() - lost.GetProperty("leasedAt").GetDateTimeOffset()).ShouldBeGreaterThan(TimeSpan.Zero);
        resumed.GetProperty("attempt").GetInt32().ShouldBe(2);
        resumed.GetProperty("exit").GetString().ShouldBe("Succeeded");
        resumed.GetProperty("resumedFromStep").GetInt32().ShouldBeGreaterThanOrEqualTo(100);
    }

    /// <summary>Two embedded silos, instance 1 killed once its job has a checkpoint, the sweep then run to its end.</summary>
    public sealed partial class Scenario : IAsyncLifetime
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

        public IReadOnlyList<string> SurvivorLinesUntilDeclaredDead { get; private set; } = [];

        public IReadOnlyList<JsonElement> KilledJobRuns { get; private set; } = [];

        public int KilledSiloPort { get; private set; }

        private readonly string _work = Directory.CreateTempSubdirectory("unrolledgan-peer-killed-").FullName;

        public async ValueTask InitializeAsync()
        {
            string work = _work;
            var first = SiloProcess.Isolated(work);
            first["Workers__PollInterval"] = "00:00:00.500";
            var second = new Dictionary<string, string>(first)
            {
                ["Cluster__Instance"] = "1",
                ["Logs__Folder"] = Path.Combine(work, "logs-1"),
            };
            KilledSiloPort = int.Parse(first["Cluster__SiloPort"]) + 1;
            await using var survivor = SiloProcess.Start(first);
            await survivor.WaitUntilReadyAsync(Timeout);
            await using var victim = SiloProcess.Start(second);
            await victim.WaitUntilReadyAsync(Timeout);

            // One slot each and two jobs: each silo trains one.
            var client = new Dictionary<string, string> { ["UNROLLEDGAN_GATEWAY"] = $"127.0.0.1:{first["Cluster__GatewayPort"]}" };
            var submit = await SiloProcess.RunClientAsync(client, Timeout, "submit", "--name", "killed", "--unroll", "0", "--seeds", "2",
                "--steps", "1500", "--set", "checkpointInterval=100", "--set", "logInterval=50");
            submit.ExitCode.ShouldBe(0, submit.Error);
            string job = await Poll.UntilAsync(() => Task.FromResult(StartedJob().Match(victim.Output).Groups["job"].Value),
                id => id.Length > 0, Timeout, "a job started on the second silo");
            string folder = Path.Combine(first["Results__Folder"], "killed", "jobs", job);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(folder, "checkpoint.bin"))), saved => saved, Timeout,
                "the second silo's job to write a checkpoint");

            int before = survivor.Output.Split('\n').Length;
            Process.Start("kill", ["-9", victim.Id.ToString()])!.WaitForExit();
            string output = await Poll.UntilAsync(() => Task.FromResult(survivor.Output), o => o.Contains("was declared dead"), Timeout,
                "the survivor to declare the killed silo dead");
            var after = output.Split('\n')[before..];
            SurvivorLinesUntilDeclaredDead = after[..(Array.FindIndex(after, l => l.Contains("was declared dead")) + 1)];

            var watch = await SiloProcess.RunClientAsync(client, Timeout, "watch", "killed");
            watch.ExitCode.ShouldBe(0, watch.Output + watch.Error);
            KilledJobRuns = File.ReadAllLines(Path.Combine(folder, "runs.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        }

        public ValueTask DisposeAsync()
        {
            // The silos are gone (disposed with the scenario's end); their trainers stopped with them.
            Directory.Delete(_work, recursive: true);
            return ValueTask.CompletedTask;
        }

        [GeneratedRegex(@"Job (?<job>\S+) run 1 started as process")]
        private static partial Regex StartedJob();
    }
}
