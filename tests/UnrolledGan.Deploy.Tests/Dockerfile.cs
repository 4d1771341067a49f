using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>A Dockerfile read into its stages and instructions: enough to check what it builds and where.</summary>
/// <param name="Arguments">The build arguments declared before the first FROM, with their defaults (null: none).</param>
public sealed partial record Dockerfile(IReadOnlyDictionary<string, string?> Arguments, IReadOnlyList<DockerStage> Stages)
{
    public DockerStage FinalStage => Stages[^1];

    public DockerStage Stage(string name) => Stages.SingleOrDefault(s => s.Name == name)
        ?? throw new InvalidOperationException($"the Dockerfile has no stage named {name}");

    /// <summary>
    /// The image a stage starts from, its ${NAME}s replaced as a build would: by <paramref name="buildArguments"/>
    /// (--build-arg NAME=value), else by the argument's default.
    /// </summary>
    public string BaseImageOf(DockerStage stage, IReadOnlyDictionary<string, string>? buildArguments = null) =>
        Reference().Replace(stage.BaseImage, m =>
            buildArguments is not null && buildArguments.TryGetValue(m.Groups[1].Value, out string? given) ? given
            : Arguments.TryGetValue(m.Groups[1].Value, out string? value) && value is not null ? value
            : throw new InvalidOperationException($"FROM {stage.BaseImage}: {m.Groups[1].Value} is not a build argument with a default"));

    public static Dockerfile Parse(string text)
    {
        var declared = new Dictionary<string, string?>();
        var stages = new List<(string BaseImage, string? Name, List<DockerInstruction> Instructions)>();
        foreach (string line in LogicalLines(text))
        {
            int space = line.IndexOf(' ');
            string keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            string arguments = space < 0 ? "" : line[(space + 1)..].Trim();
            if (keyword == "ARG" && stages.Count == 0)
            {
                string[] pair = arguments.Split('=', 2);
                declared[pair[0]] = pair.Length == 2 ? pair[1] : null;
            }
            else if (keyword == "FROM")
            {
                string[] words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string? name = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                stages.Add((words[0], name, []));
            }
            else if (stages.Count == 0)
            {
                throw new InvalidOperationException($"'{line}' comes before the first FROM");
            }
            else
            {
                stages[^1].Instructions.Add(new DockerInstruction(keyword, arguments));
            }
        }
        return new Dockerfile(declared, stages.Select(s => new DockerStage(s.BaseImage, s.Name, s.Instructions)).ToArray());
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    /// <summary>Instructions with their continuation lines joined; comments and blank lines dropped.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        string pending = "";
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }
            string whole = (pending + line).Trim();
            pending = "";
            if (whole.Length > 0)
            {
                yield return whole;
            }
        }
        if (pending.Length > 0)
        {
            yield return pending.Trim();
        }
    }
}

public sealed record DockerStage(string BaseImage, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>ENV variables, from the key=value form (the only form this repository uses).</summary>
    public IReadOnlyDictionary<string, string> Environment => Arguments("ENV")
        .SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(pair => pair.Split('=', 2) is [var key, var value]
            ? new KeyValuePair<string, string>(key, value)
            : throw new InvalidOperationException($"ENV '{pair}' is not key=value"))
        .ToDictionary();

    public IReadOnlyList<string> Entrypoint => Arguments("ENTRYPOINT").Single() is var json && json.StartsWith('[')
        ? JsonSerializer.Deserialize<string[]>(json)!
        : throw new InvalidOperationException("ENTRYPOINT is not in exec (JSON array) form");

    public string? WorkingDirectory => Arguments("WORKDIR").LastOrDefault();

    public string? User => Arguments("USER").LastOrDefault();

    public IReadOnlySet<int> ExposedPorts => Arguments("EXPOSE")
        .SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
        .ToHashSet();

    /// <summary>COPY --from=&lt;stage&gt; &lt;source&gt; &lt;destination&gt; instructions.</summary>
    public IReadOnlyList<(string From, string Source, string Destination)> CopiesFromStages => Arguments("COPY")
        .Select(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(w => w.Length == 3 && w[0].StartsWith("--from=", StringComparison.Ordinal))
        .Select(w => (w[0]["--from=".Length..], w[1], w[2]))
        .ToArray();

    /// <summary>Every `dotnet publish` in a RUN: the project, its -o folder and its -p: properties.</summary>
    public IReadOnlyList<DotnetPublish> Publishes => Arguments("RUN")
        .SelectMany(run => run.Split("&&"))
        .Select(command => command.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(words => Array.IndexOf(words, "publish") is var at && at > 0 && words[at - 1] == "dotnet" ? words[(at + 1)..] : null)
        .OfType<string[]>()
        .Select(DotnetPublish.From)
        .ToArray();
}

public sealed record DockerInstruction(string Keyword, string Arguments);

public sealed record DotnetPublish(
    string Project, string? Output, string? Configuration, string? RuntimeIdentifier, string? SelfContained,
    IReadOnlyDictionary<string, string> Properties)
{
    public static DotnetPublish From(string[] words)
    {
        string? output = null, configuration = null, runtime = null, selfContained = null;
        var properties = new Dictionary<string, string>();
        for (int i = 1; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "-o" or "--output":
                    output = words[++i];
                    break;
                case "-c" or "--configuration":
                    configuration = words[++i];
                    break;
                case "-r" or "--runtime":
                    runtime = words[++i];
                    break;
                case "--self-contained":
                    selfContained = i + 1 < words.Length && !words[i + 1].StartsWith('-') ? words[++i] : "true";
                    break;
                case var p when p.StartsWith("-p:", StringComparison.Ordinal) || p.StartsWith("/p:", StringComparison.Ordinal):
                    string[] pair = p[3..].Split('=', 2);
                    properties[pair[0]] = pair.Length == 2 ? pair[1] : "";
                    break;
            }
        }
        return new DotnetPublish(words[0], output, configuration, runtime, selfContained, properties);
    }
}
