using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// deploy/monitoring/grafana-dashboard.json and the PromQL in it: its panels, every query (panel targets and
/// template-variable definitions) and the metric names each query reads. Shared with the silo tests, which check the
/// names against a real silo's scrape.
/// </summary>
public sealed partial class GrafanaDashboard
{
    /// <summary>PromQL's functions and aggregation operators: a name followed by '(' must be one of these.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets", "changes",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time",
        "histogram_quantile", "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "scalar", "vector", "time",
        "timestamp", "absent", "absent_over_time", "sort", "sort_desc", "label_replace", "label_join",
        // Grafana's template-variable queries.
        "label_values", "query_result", "metrics",
    };

    /// <summary>Words that may stand where a metric name could: keywords and the modifiers whose label lists are removed first.</summary>
    private static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    private GrafanaDashboard(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public static GrafanaDashboard Load(string path) => new(JsonDocument.Parse(File.ReadAllText(path)).RootElement);

    /// <summary>The file in the repository this test was built from.</summary>
    public static string FindFile()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string dashboard = Path.Combine(folder.FullName, "deploy", "monitoring", "grafana-dashboard.json");
            if (File.Exists(dashboard))
            {
                return dashboard;
            }
        }
        throw new FileNotFoundException($"no deploy/monitoring/grafana-dashboard.json above {AppContext.BaseDirectory}");
    }

    public IReadOnlyList<JsonElement> Panels => Root.GetProperty("panels").EnumerateArray().ToArray();

    /// <summary>Every PromQL text: panel targets and template-variable queries.</summary>
    public IReadOnlyList<string> Queries
    {
        get
        {
            var queries = Panels
                .Where(p => p.TryGetProperty("targets", out _))
                .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
                .ToList();
            foreach (var variable in Root.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.TryGetProperty("definition", out var definition))
                {
                    queries.Add(definition.GetString()!);
                }
            }
            return queries;
        }
    }

    /// <summary>Every metric name the dashboard's queries read.</summary>
    public IReadOnlySet<string> MetricNames => Queries.SelectMany(MetricNamesOf).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The metric names a query reads, as the scrape spells them (suffixes included): what is left once strings,
    /// label matchers, ranges, variables, label lists (by, without, on, ignoring, group_*) and a label_values label
    /// are taken out, less function names and keywords.
    /// </summary>
    public static IReadOnlySet<string> MetricNamesOf(string query)
    {
        string bare = StringLiteral().Replace(query, "\"\"");
        bare = Matchers().Replace(bare, "{}");
        bare = Ranges().Replace(bare, "[]");
        bare = Variable().Replace(bare, "");
        bare = LabelList().Replace(bare, " ");
        bare = LabelValuesLabel().Replace(bare, "${call})");
        return Identifier().Matches(bare)
            .Where(m => !bare[(m.Index + m.Length)..].TrimStart().StartsWith('(') && !Keywords.Contains(m.Value))
            .Select(m => m.Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// What keeps a query from parsing, as far as these checks see: brackets that do not pair up, an unclosed string,
    /// a call to a name PromQL does not know, a label matcher not of the form label op "value". Empty when none.
    /// </summary>
    public static IReadOnlyList<string> ProblemsOf(string query)
    {
        var problems = new List<string>();
        string bare = StringLiteral().Replace(query, "\"\"");
        if (bare.Count(c => c == '"') % 2 != 0)
        {
            problems.Add("a string is not closed");
        }
        var open = new Stack<char>();
        foreach (char c in bare)
        {
            if (c is '(' or '[' or '{')
            {
                open.Push(c);
            }
            else if (c is ')' or ']' or '}' && (open.Count == 0 || open.Pop() != (c == ')' ? '(' : c == ']' ? '[' : '{')))
            {
                problems.Add($"'{c}' closes nothing it opened");
            }
        }
        problems.AddRange(open.Select(c => $"'{c}' is not closed"));
        foreach (Match call in Call().Matches(Variable().Replace(bare, "")))
        {
            string name = call.Groups["name"].Value;
            if (!Functions.Contains(name) && !Keywords.Contains(name))
            {
                problems.Add($"{name}( is not a PromQL function");
            }
        }
        foreach (Match matchers in Matchers().Matches(query))
        {
            string inside = matchers.Value[1..^1];
            if (inside.Trim().Length > 0 && !MatcherList().IsMatch(inside))
            {
                problems.Add($"label matchers {matchers.Value} are not label op \"value\", ...");
            }
        }
        return problems;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\$\{\w+\}|\$\w+")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<call>\blabel_values\s*\([^(),]*?)\s*,\s*\w+\s*\)|(?<call>\blabel_values\s*\()\s*\w+\s*\)")]
    private static partial Regex LabelValuesLabel();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<![\w.$])(?<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*\(")]
    private static partial Regex Call();

    [GeneratedRegex("^\\s*[a-zA-Z_]\\w*\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"\\s*(,\\s*[a-zA-Z_]\\w*\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"\\s*)*,?\\s*$")]
    private static partial Regex MatcherList();
}
