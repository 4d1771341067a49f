using System.Diagnostics;
using UnrolledGan.Grains.Results;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>The .tex a sweep writes compiles: every experiment's metric titles, goals and cell notes, in a real pdflatex.</summary>
public sealed class LatexTableTests
{
    [Theory]
    [InlineData(Experiments.MixtureOfGaussians)]
    [InlineData(Experiments.RnnMnist)]
    [InlineData(Experiments.StackedMnist)]
    [InlineData(Experiments.ColoredMnist)]
    [InlineData(Experiments.Cifar10)]
    public async Task EveryExperimentsTableCompilesWithPdflatex(string experiment)
    {
        string? pdflatex = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "pdflatex")).FirstOrDefault(File.Exists);
        Assert.SkipWhen(pdflatex is null, "pdflatex is not installed (Debian: texlive-latex-base)");
        var spec = SweepPlannerTests.Spec() with { Experiment = experiment, Unrolls = [0, 10], Sizes = [0.5, 1.0], Seeds = [0, 1, 2], Metrics = [] };
        var metrics = Experiments.MetricsOf(experiment);
        // Values, a failed job and a cancelled one, so the table holds bold means, p-values' columns and the cells' notes.
        JobRecord Job(double size, int unroll, int seed, JobStatus status) => new()
        {
            Spec = new JobSpec($"x{size}-k{unroll}-s{seed}", spec.Name, unroll, size, seed, "{}"),
            Status = status,
            Metrics = metrics.ToDictionary(m => m.Name, _ => (double?)(1 + unroll + seed * 0.5)),
        };
        var jobs = spec.Sizes.SelectMany(size => spec.Unrolls.SelectMany(k => spec.Seeds.Select(seed =>
            Job(size, k, seed, (k, seed) switch { (10, 2) => JobStatus.Failed, (0, 2) => JobStatus.Cancelled, _ => JobStatus.Succeeded })))).ToArray();
        string latex = ResultTableFormats.Latex(SweepAggregator.Aggregate(spec, jobs));
        string folder = Directory.CreateTempSubdirectory("unrolledgan-latex-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "table.tex"), latex, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "document.tex"),
            "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\begin{document}\n\\input{table.tex}\n\\end{document}\n",
            TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo(pdflatex!, ["-interaction=nonstopmode", "-halt-on-error", "document.tex"])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        string log = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(0, log);
        File.Exists(Path.Combine(folder, "document.pdf")).ShouldBeTrue();
        // A glyph the fonts lack is dropped from the PDF with only a line in the log file.
        (await File.ReadAllTextAsync(Path.Combine(folder, "document.log"), TestContext.Current.CancellationToken)).ShouldNotContain("Missing character");
        Directory.Delete(folder, recursive: true);
    }
}
