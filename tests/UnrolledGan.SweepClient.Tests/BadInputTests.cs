namespace UnrolledGan.SweepClient.Tests;

/// <summary>A user's mistake ends the client with one line naming what is wrong and exit code 2, never a stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("unrolledgan-badinput-").FullName;

    [Theory]
    [InlineData("spec: malformed YAML: the parser stopped", "benchmark", "bad.yaml")]
    [InlineData("--gateway", "status", "any", "--gateway", "localhost")]
    [InlineData("--set: expected field=value, got 'beta1'", "benchmark", "--set", "beta1", "--unroll", "0", "--seeds", "1")]
    // Checked on the embedded silo the benchmark starts: the field is named before any job is queued.
    [InlineData("overrides.generatorLearningRate: must be a finite number, got 'NaN'", "benchmark", "--set", "generatorLearningRate=NaN", "--unroll", "0", "--seeds", "1")]
    [InlineData("overrides.batchSize: must be at most 65,536", "benchmark", "--set", "batchSize=2000000000", "--unroll", "0", "--seeds", "1")]
    public async Task BadInputIsOneLineNamingItAndExitCodeTwo(string named, params string[] arguments)
    {
        File.WriteAllText(Path.Combine(_work, "bad.yaml"), "name: y\nexperiment: mixture-of-gaussians\naxes:\n  unroll: [0, 1\n seeds: 2\n");

        var (exitCode, _, error) = await Programs.RunClientAsync(arguments, new Dictionary<string, string>(), _work, TimeSpan.FromMinutes(2));

        exitCode.ShouldBe(2, error);
        error.ShouldContain(named);
        error.ShouldNotContain("   at ");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
