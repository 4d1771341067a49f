namespace UnrolledGan.Web;

/// <summary>A table cell as `results` prints it: its text, and whether Markdown makes it bold.</summary>
public sealed record TableText(string Text, bool Bold);

/// <summary>The table `results` prints, in pieces a page can lay out: the caption line, header, rows and the closing line.</summary>
public sealed record RenderedTable(string Caption, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<TableText>> Rows, string Footer);

/// <summary>
/// Reads the Markdown that ResultTableFormats writes, so the page shows exactly the text `results` prints (its number
/// formats, notes and p-values) rather than formatting the numbers a second time.
/// </summary>
public static class ResultMarkdown
{
    public static RenderedTable Parse(string markdown)
    {
        var lines = markdown.Replace("\r", "").Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith('|'));
        if (first < 0)
        {
            return new RenderedTable(markdown.Trim(), [], [], "");
        }
        int end = Array.FindIndex(lines, first, l => !l.StartsWith('|'));
        end = end < 0 ? lines.Length : end;
        var header = Cells(lines[first]).Select(c => c.Text).ToArray();
        // The line after the header is the |---| separator.
        var rows = lines[(first + 2)..end].Select(l => (IReadOnlyList<TableText>)Cells(l)).ToArray();
        return new RenderedTable(
            string.Join("\n", lines[..first]).Trim(), header, rows, string.Join("\n", lines[end..]).Trim());
    }

    /// <summary>Splits a row at its unescaped pipes; "\|" is a pipe inside a cell, as in "KL(model || data)".</summary>
    private static TableText[] Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        for (int i = 1; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '|')
            {
                cell.Append('|');
                i++;
            }
            else if (line[i] == '|')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(line[i]);
            }
        }
        return cells.Select(c => c.Trim()).Select(c => c.Length >= 4 && c.StartsWith("**") && c.EndsWith("**")
            ? new TableText(c[2..^2], Bold: true)
            : new TableText(c, Bold: false)).ToArray();
    }
}
