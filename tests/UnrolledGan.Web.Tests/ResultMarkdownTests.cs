using UnrolledGan.Grains;
using UnrolledGan.Grains.Results;

namespace UnrolledGan.Web.Tests;

public sealed class ResultMarkdownTests
{
    [Fact]
    public void TheTableResultsPrintsComesApartIntoItsCellsWithBoldAndEscapedPipes()
    {
        var modes = new ResultRow(1.0, "modesCovered", "Modes covered", RowGoal.Higher, 0,
            [new ResultCell(0, 2, 1.0 / 3, 1.0 / 3, 1, null),
             new ResultCell(10, 3, 8, 0, 0, new SignificanceTest(SignificanceTestKind.Permutation, 7.67, null, 0.002))], BestColumns: [1]);
        var kl = new ResultRow(1.0, "reverseKl", "KL(model || data)", RowGoal.Lower, 0,
            [new ResultCell(0, 1, 2.08, null, 1, null), new ResultCell(10, 3, 0.129, 0.0181, 0, null)], BestColumns: [1]);
        var table = new ResultTable("mixture-of-gaussians", SizeAxis.DiscriminatorSize, [0, 10], [modes, kl], Seeds: 3);
        string markdown = ResultTableFormats.Markdown(table);

        var parsed = ResultMarkdown.Parse(markdown);

        parsed.Caption.ShouldStartWith("mixture-of-gaussians: mean ± standard error over 3 seeds");
        parsed.Header.ShouldBe(["Discriminator size", "Metric", "K = 0", "K = 10"]);
        parsed.Rows.Count.ShouldBe(3, "two metric rows and the p row under the one with a test");
        parsed.Rows[0].Take(2).ShouldBe([new TableText("1", false), new TableText("Modes covered ↑", false)]);
        parsed.Rows[0][2].ShouldSatisfyAllConditions(
            c => c.Text.ShouldStartWith($"{ResultTableFormats.Format(1.0 / 3)} ± {ResultTableFormats.Format(1.0 / 3)}"), c => c.Bold.ShouldBeFalse());
        parsed.Rows[0][3].ShouldBe(new TableText("8.00 ± 0", true));
        parsed.Rows[1][1].Text.ShouldBe("p vs K = 0");
        parsed.Rows[1][3].Text.ShouldBe("0.002");
        parsed.Rows[2][1].Text.ShouldBe("KL(model || data) ↓");
        parsed.Rows[2][2].Text.ShouldStartWith("2.08 ± ");
        parsed.Rows[2][2].Text.ShouldContain("n = 1");
        parsed.Rows[2][3].Bold.ShouldBeTrue();
        parsed.Footer.ShouldBe("1 job failed; cells say how many of theirs.");
        // Every cell is the text between the pipes of the printed line, nothing reformatted.
        var printed = markdown.Split('\n').Where(l => l.StartsWith('|')).Skip(2).ToArray();
        for (int i = 0; i < printed.Length; i++)
        {
            printed[i].Replace("\\|", "|").ShouldContain(string.Join(" | ", parsed.Rows[i].Select(c => c.Bold ? $"**{c.Text}**" : c.Text)).Trim());
        }
    }

    [Fact]
    public void TextWithoutATableIsAllCaption()
    {
        var parsed = ResultMarkdown.Parse("nothing finished yet\n");

        parsed.Caption.ShouldBe("nothing finished yet");
        parsed.Rows.ShouldBeEmpty();
    }
}
