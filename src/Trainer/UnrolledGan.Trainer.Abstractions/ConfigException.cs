namespace UnrolledGan.Trainer;

/// <summary>One thing wrong with an input, named by its field so the user knows exactly what to fix.</summary>
public sealed record ConfigProblem(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}

/// <summary>Bad input. The message is one line that names every offending field.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception(string.Join("; ", problems))
{
    public ConfigException(string field, string problem) : this([new ConfigProblem(field, problem)])
    {
    }

    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
