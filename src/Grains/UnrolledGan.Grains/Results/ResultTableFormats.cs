using System.Globalization;
using System.Text;
using System.Text.Json;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Results;

/// <summary>The table as Markdown (printed at the end of a sweep), CSV, JSON and LaTeX, laid out as the paper's tables.</summary>
public static class ResultTableFormats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Marks a p that cannot be computed; the footnote under the table says why.</summary>
    private const string Undefined = "—†";

    public static string Markdown(ResultTable table)
    {
        var text = new StringBuilder();
        text.AppendLine($"{table.Experiment}: mean ± standard error over {Plural(table.Seeds, "seed")}; best column in bold " +
            $"(every one, if tied); {TestSentence(table)}");
        text.AppendLine();
        text.AppendLine($"| {SizeTitle(table.SizeAxis)} | Metric | {string.Join(" | ", table.Unrolls.Select(k => $"K = {k}"))} |");
        text.AppendLine($"|---|---|{string.Concat(table.Unrolls.Select(_ => "---|"))}");
        foreach (var row in table.Rows)
        {
            var cells = row.Cells.Select((cell, i) => Bold(Cell(cell, table.Seeds), row.BestColumns.Contains(i)));
            // A title with a pipe in it must not split the Markdown row.
            text.AppendLine($"| {Short(row.Size)} | {row.Title.Replace("|", "\\|")}{Goal(row)} | {string.Join(" | ", cells)} |");
            if (row.Cells.Any(c => c.VersusNoUnroll is not null))
            {
                text.AppendLine($"| | p vs K = 0 | {string.Join(" | ", row.Cells.Select(c => P(c.VersusNoUnroll)))} |");
            }
        }
        text.AppendLine();
        if (Tests(table).Any(t => t.PValue is null))
        {
            text.AppendLine("† Welch's t-test is undefined there: both columns have zero variance, so t has no distribution.");
        }
        text.AppendLine(Footer(JobsOf(table, c => c.Failed), JobsOf(table, c => c.Cancelled)));
        return text.ToString();
    }

    /// <summary>What ended without a value: a cancelled sweep's empty cells are not read as "no job failed".</summary>
    private static string Footer(int failed, int cancelled) => (failed, cancelled) switch
    {
        (0, 0) => "No job failed.",
        (_, 0) => $"{Plural(failed, "job")} failed; cells say how many of theirs.",
        (0, _) => $"No job failed; {Plural(cancelled, "job")} cancelled; cells say how many of theirs.",
        _ => $"{Plural(failed, "job")} failed and {cancelled} cancelled; cells say how many of theirs.",
    };

    /// <summary>Jobs counted once each: every metric row of a size holds the same jobs, so one row per size is summed.</summary>
    private static int JobsOf(ResultTable table, Func<ResultCell, int> count) =>
        table.Rows.GroupBy(r => r.Size).Sum(rows => rows.First().Cells.Sum(count));

    /// <summary>What the p rows are, naming only the tests the table holds, and none when it has no K = 0 to test against.</summary>
    private static string TestSentence(ResultTable table)
    {
        if (!table.Unrolls.Contains(0))
        {
            return "no p-values, since the sweep has no K = 0 column to test against.";
        }
        var kinds = Tests(table).Select(t => t.Kind).Distinct().Order().ToArray();
        if (kinds.Length == 0)
        {
            return "no column has values to test against K = 0.";
        }
        var names = kinds.Select(kind => kind == SignificanceTestKind.Permutation
            ? $"the exact permutation test of the difference in means (at most {Statistics.MaxPermutationSeeds} seeds a column)"
            : $"Welch's t-test (more than {Statistics.MaxPermutationSeeds} seeds)");
        return $"p is two-sided, against K = 0, by {string.Join(" or ", names)}.";
    }

    private static IEnumerable<SignificanceTest> Tests(ResultTable table) =>
        table.Rows.SelectMany(r => r.Cells).Select(c => c.VersusNoUnroll).OfType<SignificanceTest>();

    public static string Csv(ResultTable table)
    {
        var text = new StringBuilder("size_axis,size,metric,unroll,seeds,n,mean,standard_error,failed,cancelled,test,difference,t,df,p,best\n");
        foreach (var row in table.Rows)
        {
            for (int i = 0; i < row.Cells.Count; i++)
            {
                var cell = row.Cells[i];
                var test = cell.VersusNoUnroll;
                text.AppendLine(string.Join(',',
                    SweepPlanner.SizeFieldName(table.SizeAxis), Number(row.Size), row.Metric, cell.Unroll.ToString(Invariant),
                    table.Seeds.ToString(Invariant), cell.N.ToString(Invariant), Number(cell.Mean), Number(cell.StandardError),
                    cell.Failed.ToString(Invariant), cell.Cancelled.ToString(Invariant), test?.Kind.ToString().ToLowerInvariant() ?? "", Number(test?.Difference),
                    Number(test?.T), Number(test?.DegreesOfFreedom), Number(test?.PValue),
                    row.BestColumns.Contains(i) ? "true" : "false"));
            }
        }
        return text.ToString();
    }

    public static string Json(ResultTable table) => JsonSerializer.Serialize(table, TrainerJson.Options);

    public static string Latex(ResultTable table)
    {
        var text = new StringBuilder();
        text.AppendLine($"% Generated by UnrolledGan: mean \\pm standard error over {Plural(table.Seeds, "seed")}; best column in bold.");
        text.AppendLine($"\\begin{{tabular}}{{ll{new string('c', table.Unrolls.Count)}}}");
        text.AppendLine("\\hline");
        text.AppendLine($"{SizeTitle(table.SizeAxis)} & Unrolling steps & {string.Join(" & ", table.Unrolls)} \\\\");
        text.AppendLine("\\hline");
        foreach (var row in table.Rows)
        {
            var cells = row.Cells.Select((cell, i) => cell.Mean is null
                ? "--" + LatexNote(cell, table.Seeds)
                : (row.BestColumns.Contains(i) ? $"$\\mathbf{{{Latex(cell)}}}$" : $"${Latex(cell)}$") + LatexNote(cell, table.Seeds));
            text.AppendLine($"{Short(row.Size)} & {LatexText(row.Title)}{LatexGoal(row)} & {string.Join(" & ", cells)} \\\\");
        }
        text.AppendLine("\\hline");
        text.AppendLine("\\end{tabular}");
        return text.ToString();
    }

    private static string Cell(ResultCell cell, int seeds)
    {
        string value = cell.Mean is { } mean ? $"{Format(mean)} ± {(cell.StandardError is { } se ? Format(se) : "—")}" : "—";
        var notes = Notes(cell, seeds);
        return notes.Count == 0 ? value : $"{value} ({string.Join(", ", notes)})";
    }

    /// <summary>A seed without a value is shown, never averaged away: "n = 1 of 3", and how many of the cell's jobs failed or were cancelled.</summary>
    private static List<string> Notes(ResultCell cell, int seeds)
    {
        var notes = new List<string>();
        if (cell.N != seeds)
        {
            notes.Add($"n = {cell.N} of {seeds}");
        }
        if (cell.Failed > 0)
        {
            notes.Add($"{cell.Failed} failed");
        }
        if (cell.Cancelled > 0)
        {
            notes.Add($"{cell.Cancelled} cancelled");
        }
        return notes;
    }

    private static string Goal(ResultRow row) => row.Goal switch
    {
        RowGoal.Higher => " ↑",
        RowGoal.Lower => " ↓",
        RowGoal.CloserToTarget => $" → {Short(row.Target)}",
        _ => "",
    };

    private static string LatexGoal(ResultRow row) => row.Goal switch
    {
        RowGoal.Higher => " $\\uparrow$",
        RowGoal.Lower => " $\\downarrow$",
        RowGoal.CloserToTarget => $" $\\to {Short(row.Target)}$",
        _ => "",
    };

    private static string LatexNote(ResultCell cell, int seeds)
    {
        var notes = Notes(cell, seeds);
        return notes.Count == 0 ? "" : $" {{\\scriptsize ({string.Join(", ", notes)})}}";
    }

    private static string Latex(ResultCell cell) =>
        $"{Format(cell.Mean!.Value)} \\pm {(cell.StandardError is { } se ? Format(se) : "-")}";

    /// <summary>A title in LaTeX text mode: its special characters escaped, and ‖ and | set in math mode where they exist.</summary>
    public static string LatexText(string text)
    {
        var escaped = new StringBuilder();
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '\\' => "\\textbackslash{}",
                '&' or '%' or '$' or '#' or '_' or '{' or '}' => $"\\{c}",
                '~' => "\\textasciitilde{}",
                '^' => "\\textasciicircum{}",
                '‖' => "$\\|$",
                '|' => "\\textbar{}",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;

    private static string SizeTitle(SizeAxis axis) => axis == SizeAxis.ModelSize ? "Model size" : "Discriminator size";

    private static string Short(double value) => value.ToString("0.###", Invariant);

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>Three significant figures below 1, two decimals up to 100, one beyond: as the paper prints.</summary>
    public static string Format(double value) => Math.Abs(value) switch
    {
        0 => "0",
        >= 100 => value.ToString("0.0", Invariant),
        >= 1 => value.ToString("0.00", Invariant),
        _ => value.ToString("G3", Invariant),
    };

    private static string P(SignificanceTest? test) => test switch
    {
        null => "",
        { PValue: null } => Undefined,
        { PValue: < 0.001 } => "< 0.001",
        { PValue: { } p } => p.ToString("0.000", Invariant),
    };

    private static string Number(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("R", Invariant) : "";
}
