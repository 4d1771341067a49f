namespace UnrolledGan.Web.Tests;

public sealed class ResultFilesTests
{
    private const string Root = "/srv/results";

    [Fact]
    public void ASweepsFilesAndItsJobsFilesResolveInsideTheResultsFolder()
    {
        ResultFiles.Resolve(Root, "quick-mixture", null, "table.csv").ShouldBe(("/srv/results/quick-mixture/table.csv", "text/csv; charset=utf-8"));
        ResultFiles.Resolve(Root, "quick-mixture", "k5-x0.5-s2-1a2b3c4d", "density.png")
            .ShouldBe(("/srv/results/quick-mixture/jobs/k5-x0.5-s2-1a2b3c4d/density.png", "image/png"));
        ResultFiles.Resolve("relative/results", "s", null, "distances.png")!.Value.Path
            .ShouldBe(Path.Combine(Path.GetFullPath("relative/results"), "s", "distances.png"));
    }

    [Theory]
    [InlineData("..", null, "table.csv")]
    [InlineData("quick-mixture", "..", "result.json")]
    [InlineData("quick-mixture", null, "..")]
    [InlineData("../etc", null, "passwd.json")]
    [InlineData("quick-mixture", null, "../../etc/passwd.json")]
    [InlineData("quick-mixture", "../../..", "density.png")]
    [InlineData("/etc", null, "passwd.json")]
    [InlineData("quick-mixture", "/etc", "passwd.json")]
    [InlineData("quick-mixture", null, "/etc/passwd.json")]
    [InlineData("quick-mixture", null, "..%2f..%2fpasswd.json")]
    [InlineData(".state", null, "quick-mixture.json")]
    [InlineData("quick-mixture", null, ".hidden.json")]
    [InlineData("quick-mixture", "a\\..\\..", "density.png")]
    [InlineData("", null, "table.csv")]
    public void PathsThatCouldLeaveTheResultsFolderAreRefused(string sweep, string? job, string file) =>
        ResultFiles.Resolve(Root, sweep, job, file).ShouldBeNull();

    [Theory]
    [InlineData("checkpoint.bin")]
    [InlineData("job.lock")]
    [InlineData("trainer")]
    public void OnlyTheKindsOfFileThePageShowsAreServed(string file) =>
        ResultFiles.Resolve(Root, "quick-mixture", "k0-x1-s0-00000000", file).ShouldBeNull();

    [Fact]
    public void AFileThatLinksOutOfItsFolderIsRefused()
    {
        string root = Directory.CreateTempSubdirectory("unrolledgan-files-").FullName;
        try
        {
            string job = Path.Combine(root, "results", "s", "jobs", "k0-x1-s0-00000000");
            Directory.CreateDirectory(job);
            File.WriteAllText(Path.Combine(root, "secret.json"), "{}");
            File.CreateSymbolicLink(Path.Combine(job, "result.json"), Path.Combine(root, "secret.json"));

            ResultFiles.Resolve(Path.Combine(root, "results"), "s", "k0-x1-s0-00000000", "result.json").ShouldBeNull();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
