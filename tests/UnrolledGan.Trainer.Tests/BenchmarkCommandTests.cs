namespace UnrolledGan.Trainer.Tests;

/// <summary>`benchmark` as a user runs it: nothing long happens without being announced first and followed.</summary>
public sealed class BenchmarkCommandTests
{
    [Fact]
    public async Task AMemoryRunIsAnnouncedBeforeTheSpeedTableAndReportsItsProgress()
    {
        var (exitCode, output, error) = await TrainerProcess.RunAsync(
            ["benchmark", "--unrolls", "0", "--timed-steps", "4", "--warmup-steps", "1", "--memory-steps", "20"]);

        exitCode.ShouldBe(0, error);
        var lines = output.Split('\n');
        int notice = Array.FindIndex(lines, l => l.StartsWith("then a 20-step memory run at K = ", StringComparison.Ordinal));
        notice.ShouldBeGreaterThan(-1, output);
        notice.ShouldBeLessThan(Array.FindIndex(lines, l => l.Contains("steps/s", StringComparison.Ordinal)), "before the speed table");
        // A line at every tenth of the run but the last, which the RSS line reports.
        error.Split('\n').Where(l => l.StartsWith("memory run: ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])
            .ShouldBe(["2", "4", "6", "8", "10", "12", "14", "16", "18"]);
        output.ShouldContain("MB after 20 steps");
    }
}
