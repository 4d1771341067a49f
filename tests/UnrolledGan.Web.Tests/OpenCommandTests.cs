using UnrolledGan.SweepClient.Tests;

namespace UnrolledGan.Web.Tests;

/// <summary>`open` when there is no page to open: one line naming the problem, and the exit code of its kind.</summary>
public sealed class OpenCommandTests
{
    [Fact]
    public async Task AnAddressThatIsNotHttpIsBadInput()
    {
        var (exitCode, output, error) = await OpenAsync("quick-mixture", "--page", "ftp://127.0.0.1:8080");

        exitCode.ShouldBe(2);
        error.Trim().ShouldBe("error: page: 'ftp://127.0.0.1:8080' is not an http(s) URL");
        output.ShouldBeEmpty();
    }

    [Fact]
    public async Task NoSiloAtTheAddressSaysWhereItLookedAndHowToServeThePage()
    {
        int port = Programs.FreePorts(1);

        var (exitCode, output, error) = await OpenAsync("quick-mixture", "--page", $"http://127.0.0.1:{port}");

        exitCode.ShouldBe(1);
        error.ShouldStartWith($"error: cannot reach the sweep page at http://127.0.0.1:{port} (");
        error.ShouldContain("Dashboard:Port");
        error.Trim().Split('\n').Length.ShouldBe(1);
        output.ShouldBeEmpty();
    }

    [Fact]
    public async Task ATokenFileThatIsNotThereIsBadInputBeforeAnyRequest()
    {
        int port = Programs.FreePorts(1);

        var (exitCode, output, error) = await OpenAsync("quick-mixture", "--page", $"http://127.0.0.1:{port}", "--token-file", "/nonexistent/token");

        exitCode.ShouldBe(2);
        error.Trim().ShouldBe("error: token-file: '/nonexistent/token' does not exist or is empty");
        output.ShouldBeEmpty();
    }

    private static Task<(int ExitCode, string Output, string Error)> OpenAsync(params string[] arguments) =>
        Programs.RunClientAsync(["open", .. arguments], new Dictionary<string, string>(), Path.GetTempPath(), TimeSpan.FromMinutes(1));
}
