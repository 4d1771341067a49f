using System.CommandLine;
using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Specs;

/// <summary>A spec file and/or flags; flags override the file's fields. With neither, the quick default sweep.</summary>
internal sealed class SpecOptions
{
    public Argument<FileInfo?> File { get; } = new("spec") { Description = "Sweep spec (YAML or JSON); omit for the quick default", Arity = ArgumentArity.ZeroOrOne };
    public Option<string?> Name { get; } = new("--name") { Description = "Sweep name (default: the spec file's name)" };
    public Option<string?> Experiment { get; } = new("--experiment") { Description = "Experiment to sweep" };
    public Option<string?> Preset { get; } = new("--preset") { Description = "Trainer preset: quick, paper or notebook" };
    public Option<string?> Unroll { get; } = new("--unroll", "-k") { Description = "K axis, comma-separated (e.g. 0,1,5,10)" };
    public Option<string?> Seeds { get; } = new("--seeds") { Description = "A count of seeds (3 means 0,1,2) or a comma-separated list" };
    public Option<int?> Steps { get; } = new("--steps") { Description = "Training steps per job" };
    public Option<int?> Retries { get; } = new("--retries") { Description = "Runs of a failed job before it counts as failed" };
    public Option<int?> Concurrency { get; } = new("--concurrency") { Description = "Most jobs of this sweep at once (0: all free slots)" };
    public Option<string?> Dispatch { get; } = new("--dispatch")
    {
        Description = $"Order jobs are handed out in: {SweepSpecReader.DispatchNames} (default: longest-first, by expected cost)",
    };
    public Option<string[]> Set { get; } = new("--set") { Description = "Override a trainer config field: --set mixture.initGain=0.8 (repeatable)" };

    public void AddTo(Command command)
    {
        command.Add(File);
        foreach (var option in new Option[] { Name, Experiment, Preset, Unroll, Seeds, Steps, Retries, Concurrency, Dispatch, Set })
        {
            command.Add(option);
        }
    }

    public SweepSpec Build(ParseResult parse)
    {
        var file = parse.GetValue(File);
        var spec = file is null ? DefaultSweeps.Quick : SweepSpecReader.Read(file.FullName);
        var overrides = new Dictionary<string, string>(spec.Overrides);
        foreach (var (field, value) in TrainingConfigBuilder.ParseAssignments(parse.GetValue(Set) ?? []))
        {
            overrides[field] = value;
        }
        return spec with
        {
            Name = parse.GetValue(Name) ?? spec.Name,
            Experiment = parse.GetValue(Experiment) ?? spec.Experiment,
            Preset = parse.GetValue(Preset) ?? spec.Preset,
            Unrolls = parse.GetValue(Unroll) is { } unroll ? List(unroll, "--unroll") : spec.Unrolls,
            Seeds = parse.GetValue(Seeds) is { } seeds ? SweepSpecReader.Seeds(seeds, "--seeds") : spec.Seeds,
            Steps = parse.GetValue(Steps) ?? spec.Steps,
            Retries = parse.GetValue(Retries) ?? spec.Retries,
            Concurrency = parse.GetValue(Concurrency) ?? spec.Concurrency,
            Dispatch = parse.GetValue(Dispatch) is { } dispatch ? SweepSpecReader.ParseDispatch(dispatch, "--dispatch") : spec.Dispatch,
            Overrides = overrides,
        };
    }

    private static int[] List(string text, string field) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => SweepSpecReader.ParseInt(v, field)).ToArray();
}

/// <summary>The sweep `run` runs with no spec: Fig. 2's 2-D mixture over K ∈ {0,1,5,10} × 3 seeds, quick preset.</summary>
internal static class DefaultSweeps
{
    public static SweepSpec Quick { get; } = new()
    {
        Name = "quick-mixture",
        Experiment = "mixture-of-gaussians",
        Preset = "quick",
        Unrolls = [0, 1, 5, 10],
        Seeds = [0, 1, 2],
    };
}
