namespace UnrolledGan.SweepClient.Tests;

/// <summary>The client as a new user meets it with no cluster running: its help, and the one line when nothing answers.</summary>
public sealed class ClientCommandLineTests
{
    [Fact]
    public async Task EveryVerbsHelpListsTheExitCodesAndTheGatewayItWouldDial()
    {
        var environment = new Dictionary<string, string> { ["UNROLLEDGAN_GATEWAY"] = "10.1.2.3:31000" };
        foreach (string verb in new[] { "run", "submit", "status", "watch", "results", "cancel", "list", "open", "benchmark" })
        {
            var (exitCode, output, _) = await Programs.RunClientAsync([verb, "--help"], environment, Path.GetTempPath(), TimeSpan.FromMinutes(1));

            exitCode.ShouldBe(0, verb);
            output.ShouldContain("Exit codes:", customMessage: verb);
            output.ShouldContain("130  interrupted", customMessage: verb);
            if (verb is not ("run" or "benchmark"))
            {
                output.ShouldContain("[default: 10.1.2.3:31000]", customMessage: verb);
            }
        }
    }

    [Fact]
    public async Task NoClusterAtTheGatewaySaysWhichAddressAndHowToStartOneAndWritesNothingHere()
    {
        string work = Directory.CreateTempSubdirectory("unrolledgan-nocluster-").FullName;
        string state = Path.Combine(work, "state"), here = Path.Combine(work, "here");
        Directory.CreateDirectory(here);
        string gateway = $"127.0.0.1:{Programs.FreePorts(1)}";
        var environment = new Dictionary<string, string> { ["UNROLLEDGAN_GATEWAY"] = gateway, ["XDG_STATE_HOME"] = state };

        var (exitCode, output, error) = await Programs.RunClientAsync(["list"], environment, here, TimeSpan.FromMinutes(1));

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.Trim().Split('\n').ShouldHaveSingleItem();
        error.ShouldStartWith($"error: cannot reach a cluster at {gateway}, the address from $UNROLLEDGAN_GATEWAY (");
        error.ShouldContain("bash scripts/silo.sh");
        error.ShouldContain("`run`");
        Directory.EnumerateFileSystemEntries(here).ShouldBeEmpty("the client's log belongs to its user, not the current folder");
        Directory.GetFiles(Path.Combine(state, "unrolledgan", "logs"), "client-*.jsonl").ShouldNotBeEmpty();
    }
}
