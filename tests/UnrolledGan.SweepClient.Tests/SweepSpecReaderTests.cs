using UnrolledGan.Grains;
using UnrolledGan.SweepClient.Specs;

namespace UnrolledGan.SweepClient.Tests;

public sealed class SweepSpecReaderTests
{
    [Fact]
    public void AFullSpecReadsEveryField()
    {
        var spec = SweepSpecReader.Parse("""
            name: table
            experiment: mixture-of-gaussians
            preset: paper
            axes:
              unroll: [0, 10]
              seeds: 3
              discriminatorSize: [0.5, 1]
            steps: 2000
            overrides: {mixture.initGain: 1.4}
            metrics: [modesCovered]
            retries: 1
            concurrency: 4
            """, "file");

        spec.Name.ShouldBe("table");
        spec.Preset.ShouldBe("paper");
        spec.Unrolls.ShouldBe([0, 10]);
        spec.Seeds.ShouldBe([0, 1, 2]);
        spec.Sizes.ShouldBe([0.5, 1.0]);
        spec.SizeAxis.ShouldBe(SizeAxis.DiscriminatorSize);
        spec.Steps.ShouldBe(2000);
        spec.Overrides["mixture.initGain"].ShouldBe("1.4");
        spec.Metrics.ShouldBe(["modesCovered"]);
        (spec.Retries, spec.Concurrency).ShouldBe((1, 4));
    }

    [Fact]
    public void SeedsMayBeAListAndTheNameDefaultsToTheFileName()
    {
        var spec = SweepSpecReader.Parse("experiment: mixture-of-gaussians\naxes: {seeds: [3, 7], modelSize: 0.25}", "from-file");

        spec.Name.ShouldBe("from-file");
        spec.Seeds.ShouldBe([3, 7]);
        spec.SizeAxis.ShouldBe(SizeAxis.ModelSize);
        spec.Sizes.ShouldBe([0.25]);
    }

    [Theory]
    [InlineData("experiment: mixture-of-gaussians\naxes: {unroll: [0, 1}", "spec: malformed YAML at line 2")]
    [InlineData("experiment: mixture-of-gaussians\nunroll: [0]", "unroll: unknown field")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {seed: 3}", "axes.seed: unknown field")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {seeds: 0}", "axes.seeds: expected a count of at least 1")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {unroll: [0, five]}", "axes.unroll: expected an integer, got 'five'")]
    [InlineData("experiment: mixture-of-gaussians\nsteps: [1]", "steps: expected a single value")]
    [InlineData("name: x\naxes: {unroll: [0]}", "experiment: is required")]
    [InlineData("- just\n- a list", "spec: expected a mapping")]
    [InlineData("name: y\nexperiment: mixture-of-gaussians\naxes:\n  unroll: [0, 1\n seeds: 2\n", "spec: malformed YAML: the parser stopped")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {seeds: 2147483647}", "axes.seeds: a count of at most 1,000,000 seeds")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {discriminatorSize: [1, NaN]}", "axes.discriminatorSize: must be a finite number, got 'NaN'")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {modelSize: 1e400}", "axes.modelSize: must be a finite number, got '1e400'")]
    [InlineData("experiment: mixture-of-gaussians\naxes: {unroll: [0, 99999999999]}", "axes.unroll: expected an integer, got '99999999999'")]
    public void AMalformedSpecIsRefusedNamingTheField(string yaml, string message) =>
        Should.Throw<SweepSpecException>(() => SweepSpecReader.Parse(yaml, "x")).Message.ShouldStartWith(message);
}
