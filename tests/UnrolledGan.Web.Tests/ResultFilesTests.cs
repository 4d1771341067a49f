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
    public void AFileIsServedOnlyIfLinksFollowedItIsInItsOwnFolder()
    {
        string root = Directory.CreateTempSubdirectory("unrolledgan-files-").FullName;
        try
        {
            const string job = "k0-x1-s0-00000000", linkedJob = "k0-x1-s1-00000000";
            string results = Path.Combine(root, "results"), folder = Path.Combine(results, "s", "jobs", job);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "result.json"), "{\"own\": 1}");
            File.WriteAllText(Path.Combine(root, "secret.json"), "{}");
            // A file linked out of the results, a file linked to its neighbour in the same folder, a job folder linked to
            // another job's, and the sweep's own file linked into a job.
            File.CreateSymbolicLink(Path.Combine(folder, "inference.json"), Path.Combine(root, "secret.json"));
            File.CreateSymbolicLink(Path.Combine(folder, "distances.json"), Path.Combine(folder, "result.json"));
            Directory.CreateSymbolicLink(Path.Combine(results, "s", "jobs", linkedJob), folder);
            File.CreateSymbolicLink(Path.Combine(results, "s", "table.json"), Path.Combine(folder, "result.json"));

            using (var own = ResultFiles.Open(results, "s", job, "result.json"))
            {
                own.ShouldNotBeNull();
                new StreamReader(own.Stream).ReadToEnd().ShouldBe("{\"own\": 1}");
                own.ContentType.ShouldBe("application/json; charset=utf-8");
            }
            ResultFiles.Open(results, "s", job, "inference.json").ShouldBeNull();
            ResultFiles.Open(results, "s", job, "distances.json").ShouldBeNull();
            ResultFiles.Open(results, "s", linkedJob, "result.json").ShouldBeNull();
            ResultFiles.Open(results, "s", null, "table.json").ShouldBeNull();
            ResultFiles.Open(results, "s", job, "density.png").ShouldBeNull("missing");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AResultsFolderReachedThroughALinkStillServesItsFiles()
    {
        string root = Directory.CreateTempSubdirectory("unrolledgan-files-").FullName;
        try
        {
            string real = Path.Combine(root, "volume", "s");
            Directory.CreateDirectory(real);
            File.WriteAllText(Path.Combine(real, "table.csv"), "a,b\n");
            Directory.CreateSymbolicLink(Path.Combine(root, "results"), Path.Combine(root, "volume"));

            using var served = ResultFiles.Open(Path.Combine(root, "results"), "s", null, "table.csv");

            served.ShouldNotBeNull();
            served.ContentType.ShouldBe("text/csv; charset=utf-8");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
