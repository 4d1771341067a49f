using System.CommandLine;

namespace UnrolledGan.Trainer.Cli;

/// <summary>The flags that build a <see cref="TrainingConfig"/>: a file, common fields, and --set for any field.</summary>
internal sealed class ConfigOptions
{
    public Option<FileInfo?> File { get; } = new("--config") { Description = "JSON config file; flags override its fields" };
    public Option<string?> Experiment { get; } = new("--experiment") { Description = $"One of: {string.Join(", ", Experiments.Names)}" };
    public Option<string?> Preset { get; } = new("--preset") { Description = $"One of: {string.Join(", ", Presets.Names)} (default {Presets.Quick})" };
    public Option<string?> Unroll { get; } = new("--unroll", "-k") { Description = "K, the number of unrolled discriminator steps" };
    public Option<string?> Seed { get; } = new("--seed") { Description = "Random seed of the job" };
    public Option<string?> Steps { get; } = new("--steps") { Description = "Training steps" };
    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override any config field: --set mixture.initGain=0.8 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { File, Experiment, Preset, Unroll, Seed, Steps, Set })
        {
            command.Add(option);
        }
    }

    public TrainingConfig Build(ParseResult parse)
    {
        var overrides = new List<KeyValuePair<string, string>>();
        void Add(string field, string? value)
        {
            if (value is not null)
            {
                overrides.Add(new(field, value));
            }
        }
        Add("experiment", parse.GetValue(Experiment));
        Add("preset", parse.GetValue(Preset));
        Add("unroll", parse.GetValue(Unroll));
        Add("seed", parse.GetValue(Seed));
        Add("steps", parse.GetValue(Steps));
        overrides.AddRange(TrainingConfigBuilder.ParseAssignments(parse.GetValue(Set) ?? []));
        var file = parse.GetValue(File) is { } path ? TrainingConfigBuilder.ParseFile(path.FullName) : null;
        return TrainingConfigBuilder.Build(file, overrides);
    }
}
