using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>deploy/README.md: its sections and the shell commands in their code blocks.</summary>
public static partial class Readme
{
    public static string Text => DeployFiles.Read("README.md");

    /// <summary>The README's sections: each heading with the text up to the next heading.</summary>
    public static IReadOnlyList<(string Heading, string Body)> Sections
    {
        get
        {
            var sections = new List<(string, string)>();
            foreach (Match heading in Heading().Matches(Text))
            {
                int end = heading.NextMatch() is { Success: true } next ? next.Index : Text.Length;
                sections.Add((heading.Groups[1].Value.Trim(), Text[(heading.Index + heading.Length)..end]));
            }
            return sections;
        }
    }

    /// <summary>The commands of a section's bash code blocks, continuation lines joined.</summary>
    public static IReadOnlyList<string> Commands(string body) => CodeBlock().Matches(body)
        .SelectMany(block => block.Groups[1].Value.Replace("\\\n", " ").Split('\n'))
        .Select(line => line.Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .ToArray();

    /// <summary>The `kubectl create secret generic` commands in the sections whose heading says so.</summary>
    public static IReadOnlyList<SecretCommand> SecretCommandsUnder(Func<string, bool> heading) => Sections
        .Where(s => heading(s.Heading))
        .SelectMany(s => Commands(s.Body))
        .Where(c => c.Contains("create secret generic", StringComparison.Ordinal))
        .Select(SecretCommand.Parse)
        .ToArray();

    /// <summary>
    /// The commands that create the Secrets in the namespace, for the default deployment or the external-database
    /// one: its section's commands, and the default's for any Secret it does not make itself.
    /// </summary>
    public static IReadOnlyList<SecretCommand> SecretCommands(bool externalDatabase)
    {
        var shared = SecretCommandsUnder(h => h.Contains("Secret", StringComparison.Ordinal) && !IsExternalDatabase(h))
            .Where(c => c.Namespace == Contract.Namespace).ToArray();
        if (!externalDatabase)
        {
            return shared;
        }
        var own = SecretCommandsUnder(IsExternalDatabase);
        return own.Concat(shared.Where(c => own.All(o => o.Name != c.Name))).ToArray();
    }

    public static bool IsExternalDatabase(string heading) => heading.Contains("external database", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^#{2,4} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}

/// <summary>
/// `kubectl -n NS create secret generic NAME --from-literal=KEY=VALUE --from-file=[KEY=]PATH ...`, read into its parts.
/// </summary>
public sealed partial record SecretCommand(string Namespace, string Name, IReadOnlyDictionary<string, string> Literals,
    IReadOnlyDictionary<string, string> Files)
{
    public IReadOnlySet<string> Keys => Literals.Keys.Concat(Files.Keys).ToHashSet();

    public static SecretCommand Parse(string command)
    {
        command.ShouldStartWith("kubectl ");
        // A --from-env-file, or a --from-file of a folder, would make keys these tests cannot see.
        FromOption().Matches(command).Select(m => m.Value).ShouldAllBe(option => option == "--from-literal=" || option == "--from-file=");
        var literals = Literal().Matches(command).ToDictionary(m => m.Groups["key"].Value, m => Unquote(m.Groups["value"].Value));
        var files = FromFile().Matches(command).ToDictionary(
            m => m.Groups["key"].Success ? m.Groups["key"].Value : Path.GetFileName(m.Groups["path"].Value),
            m => m.Groups["path"].Value);
        return new SecretCommand(
            NamespaceOption().Match(command) is { Success: true } ns ? ns.Groups[1].Value : "default",
            SecretName().Match(command).Groups[1].Value,
            literals,
            files);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;

    [GeneratedRegex(@"--from-[a-z-]+=")]
    private static partial Regex FromOption();

    [GeneratedRegex("""--from-literal=(?<key>[-._A-Za-z0-9]+)=(?<value>"[^"]*"|'[^']*'|\S+)""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"--from-file=(?:(?<key>[-._A-Za-z0-9]+)=)?(?<path>[^\s=]+)")]
    private static partial Regex FromFile();

    [GeneratedRegex(@"(?:-n|--namespace)[ =]([-a-z0-9]+)")]
    private static partial Regex NamespaceOption();

    [GeneratedRegex(@"create secret generic ([-a-z0-9.]+)")]
    private static partial Regex SecretName();
}
