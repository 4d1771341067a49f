namespace UnrolledGan.Trainer.Tests;

/// <summary>The memory estimate a sweep is admitted by, and the limit a trainer runs under.</summary>
public sealed class JobMemoryTests
{
    private static TrainingConfig Mixture(int unroll, int batch) =>
        TrainingConfigBuilder.Build(overrides: [new("unroll", $"{unroll}"), new("batchSize", $"{batch}")]);

    [Theory]
    // Peak RSS measured with /usr/bin/time -v (jemalloc, one thread, 2-D mixture, quick preset); the estimate may err
    // high by a fifth but never low.
    [InlineData(0, 8, 204)]
    [InlineData(0, 8192, 276)]
    [InlineData(5, 8192, 430)]
    [InlineData(10, 512, 234)]
    [InlineData(10, 2048, 306)]
    [InlineData(10, 8192, 608)]
    public void TheEstimateCoversTheMeasuredPeakWithoutOverstatingIt(int unroll, int batch, int measuredMiB)
    {
        double estimateMiB = JobMemory.Estimate(Mixture(unroll, batch)) / (double)(1 << 20);

        estimateMiB.ShouldBeInRange(measuredMiB, measuredMiB * 1.2);
    }

    [Fact]
    public void TheLargestBatchAtTheLargestKIsNamedAsTheField()
    {
        var (bytes, field) = JobMemory.Explain(Mixture(ConfigLimits.MaxUnroll, ConfigLimits.MaxBatchSize));

        field.ShouldBe("batchSize");
        bytes.ShouldBeGreaterThan(8L << 30);
    }

    [Theory]
    [InlineData("8GiB", 8L << 30)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("1048576", 1L << 20)]
    public void SizesReadAsPeopleWriteThem(string text, long bytes)
    {
        JobMemory.TryParseSize(text, out long parsed).ShouldBeTrue();
        parsed.ShouldBe(bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8 parsecs")]
    [InlineData("-1GiB")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    public void NonsenseIsNotASize(string text) => JobMemory.TryParseSize(text, out _).ShouldBeFalse();

    [Fact]
    public async Task ATrainerOverItsMemoryLimitFailsNamingTheLimit()
    {
        string output = Path.Combine(Path.GetTempPath(), $"unrolledgan-memory-{Guid.NewGuid():N}");
        try
        {
            // About 3 GiB by the estimate, under a limit of 600 MiB: the first unrolled step cannot allocate.
            var (exitCode, stdout, stderr) = await TrainerProcess.RunAsync(
                new Dictionary<string, string> { [TrainerMemoryLimit.EnvironmentVariable] = "600MiB" },
                "train", "--out", output, "--steps", "5", "-k", "10", "--set", "batchSize=65536");

            exitCode.ShouldBe(1);
            stderr.ShouldContain("exceeded its memory limit of 600 MiB (Workers:TrainerMemoryLimit)");
            stderr.Trim().Split('\n').Last().ShouldStartWith("error: ");
            stdout.ShouldContain("\"event\":\"failed\"");
            stdout.ShouldContain("exceeded its memory limit of 600 MiB");
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
