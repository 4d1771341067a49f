using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.SweepClient.Specs;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>Every spec shipped in specs/ reads and expands into valid trainer configs, as `submit` would check it.</summary>
public sealed class SpecFilesTests
{
    public static TheoryData<string> SpecFiles() => [.. Directory
        .EnumerateFiles(Path.Combine(RepositoryRoot(), "specs"), "*.yaml")
        .Select(Path.GetFileName)
        .OfType<string>()
        .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void ASpecFileReadsAndExpandsIntoValidJobs(string file)
    {
        string path = Path.Combine(RepositoryRoot(), "specs", file);

        var spec = SweepSpecReader.Read(path);
        // Every shipped spec fits the default per-job memory limit by the estimate the silo admits sweeps with.
        var jobs = SweepPlanner.Expand(spec, maxJobs: 1000, new UnrolledGan.Grains.Workers.WorkerOptions().JobMemoryLimitBytes);

        spec.Name.ShouldBe(Path.GetFileNameWithoutExtension(file));
        jobs.Count.ShouldBe(spec.Unrolls.Count * spec.Sizes.Count * spec.Seeds.Count);
        File.ReadLines(path).First().ShouldStartWith("# ", customMessage: "a spec starts with a comment saying what it reproduces");
    }

    /// <summary>The comment's budget is the one the jobs run: steps (the spec's, else its preset's), seeds and job count.</summary>
    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void ASpecsCommentStatesTheStepsSeedsAndJobsItRuns(string file)
    {
        string path = Path.Combine(RepositoryRoot(), "specs", file);
        string comment = string.Join(' ', File.ReadLines(path).TakeWhile(l => l.StartsWith('#')).Select(l => l.TrimStart('#').Trim()));
        var spec = SweepSpecReader.Read(path);
        var jobs = SweepPlanner.Expand(spec, maxJobs: 1000);
        int steps = JsonSerializer.Deserialize<TrainingConfig>(jobs[0].ConfigJson, TrainerJson.Compact)!.Steps;

        comment.ShouldMatch($@"\b{steps.ToString("N0", CultureInfo.InvariantCulture)} (alternating )?steps\b");
        comment.ShouldMatch($@"\b{spec.Seeds.Count} seeds?\b");
        // "The K = 10 jobs" names jobs by their K, not a count.
        foreach (Match count in Regex.Matches(comment, @"(?<!K = )\b(\d+) jobs\b"))
        {
            int.Parse(count.Groups[1].Value).ShouldBe(jobs.Count, comment);
        }
    }

    [Fact]
    public void TheAppendixBSpecsSetTheAblationTheirNamesSay()
    {
        var history = Config("appb-history-n10-quick.yaml");
        (history.Unroll, history.DiscriminatorEnsemble).ShouldBe((0, new DiscriminatorEnsemble { Size = 10, Period = 1 }));

        var period = Config("appb-ensemble-period-100.yaml");
        (period.Preset, period.DiscriminatorEnsemble).ShouldBe((Presets.Paper, new DiscriminatorEnsemble { Size = 5, Period = 100 }));

        var average = Config("appb-second-gradient-5to1-average.yaml");
        (average.SecondGradient, average.UnrollTarget, average.GeneratorUpdates, average.DiscriminatorUpdates)
            .ShouldBe((false, UnrollTarget.Average, 5, 1));
        SweepSpecReader.Read(Path.Combine(RepositoryRoot(), "specs", "appb-second-gradient-5to1-average.yaml")).Unrolls
            .ShouldBe([0, 1, 3, 5, 10]);

        var both = Config("appb-second-gradient-both-quick.yaml");
        (both.SecondGradient, both.UnrollTarget, both.GeneratorUpdates, both.DiscriminatorEnsemble.Size)
            .ShouldBe((true, UnrollTarget.Final, 1, 1));
    }

    /// <summary>The trainer config of the spec's last job.</summary>
    private static TrainingConfig Config(string file)
    {
        var jobs = SweepPlanner.Expand(SweepSpecReader.Read(Path.Combine(RepositoryRoot(), "specs", file)), maxJobs: 1000);
        return JsonSerializer.Deserialize<TrainingConfig>(jobs[^1].ConfigJson, TrainerJson.Compact)!;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "UnrolledGan.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"no UnrolledGan.sln above {AppContext.BaseDirectory}");
    }
}
