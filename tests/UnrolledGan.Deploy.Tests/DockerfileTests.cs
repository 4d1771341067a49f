using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The image: what it builds, where it puts it, and that the manifests run what is there.</summary>
public sealed partial class DockerfileTests
{
    private static readonly Dockerfile _dockerfile = Dockerfile.Parse(DeployFiles.Read("docker/Dockerfile"));

    private static DockerStage Runtime => _dockerfile.FinalStage;

    public static TheoryData<string> Executables() => new(Contract.Executables.Select(e => e.AssemblyName));

    private static Executable Named(string assemblyName) => Contract.Executables.Single(e => e.AssemblyName == assemblyName);

    private static DockerStage Build => _dockerfile.Stage("build");

    [Fact]
    public void TheBuildStageIsTheDotnet10SdkUnlessABuildArgumentNamesAnother()
    {
        _dockerfile.BaseImageOf(Build).ShouldBe("mcr.microsoft.com/dotnet/sdk:10.0");
        _dockerfile.BaseImageOf(Build, new Dictionary<string, string> { ["SDK_IMAGE"] = "localhost/sdk" }).ShouldBe("localhost/sdk");
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public void EachExecutableIsPublishedInReleaseForLinuxX64ToItsImageFolder(string assemblyName)
    {
        var executable = Named(assemblyName);

        var publish = Build.Publishes.Where(p => p.Project == executable.Project).ShouldHaveSingleItem();
        publish.Output.ShouldBe(executable.ImageFolder);
        publish.Configuration.ShouldBe("Release");
        // Only linux-x64's native libraries (TorchSharp has no others here); the .NET runtime is the image's own.
        publish.RuntimeIdentifier.ShouldBe("linux-x64");
        publish.SelfContained.ShouldBe("false");
        Runtime.CopiesFromStages.ShouldContain((Build.Name!, executable.ImageFolder, executable.ImageFolder));
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public void EachPublishedProjectExistsInTheRepository(string assemblyName)
    {
        var executable = Named(assemblyName);

        File.Exists(Path.Combine(DeployFiles.RepositoryRoot, executable.Project)).ShouldBeTrue(executable.Project);
    }

    [Fact]
    public void TheBackendArgumentChoosesTheTrainersTorchSharpAndDefaultsToCpu()
    {
        _dockerfile.Arguments["BACKEND"].ShouldBe("cpu");
        Build.Arguments("ARG").ShouldContain("BACKEND");
        Build.Publishes.Single(p => p.Project == Contract.Trainer.Project).Properties["TorchBackend"].ShouldBe("${BACKEND}");
        Build.Publishes.Where(p => p.Project != Contract.Trainer.Project).ShouldAllBe(p => !p.Properties.ContainsKey("TorchBackend"));
        // The values the trainer's project knows (Directory.Build.props defaults it to cpu).
        File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, Contract.Trainer.Project))
            .ShouldContain("'$(TorchBackend)' == 'cuda'");
    }

    [Fact]
    public void TheRuntimeIsUbuntu2404ByDefaultWithTheLibrariesTheTrainerLoads()
    {
        // The SDK image's release, so that the SDK's libstdc++ (which decides the libLibTorchSharp.so patch) and the
        // runtime's agree. Ubuntu 24.04's has GLIBCXX_3.4.32, so nothing is patched there.
        _dockerfile.BaseImageOf(Runtime).ShouldBe("docker.io/library/ubuntu:24.04");
        Runtime.Arguments("ARG").ShouldContain("BACKEND");
        string installs = string.Join(' ', Runtime.Arguments("RUN"));
        installs.ShouldContain("apt-get install");
        foreach (string package in new[] { "libgomp1", "fontconfig", "fonts-dejavu-core", "libjemalloc2", "\"$icu\"", "\"$ssl\"" })
        {
            installs.Split(' ').ShouldContain(package);
        }
    }

    [Fact]
    public void ACudaBuildOnABaseWithoutCudaStopsNamingNvidiasImage()
    {
        string guard = Runtime.Arguments("RUN").Single(r => r.Contains("BACKEND\" = cuda", StringComparison.Ordinal));
        string named = guard.Split(' ').Single(w => w.StartsWith("RUNTIME_BASE=", StringComparison.Ordinal))["RUNTIME_BASE=".Length..].TrimEnd('"');

        named.ShouldStartWith("docker.io/nvidia/cuda:12.");
        named.ShouldContain("runtime");
        named.ShouldEndWith("ubuntu24.04", Case.Sensitive, "the release of the SDK image's default tag");
        guard.ShouldContain("exit 2");
    }

    [Fact]
    public void TheDotnetRuntimeIsTheSdksWithoutTheSdk()
    {
        var dotnet = Runtime.CopiesFromStages.Where(c => c.Destination.StartsWith("/usr/share/dotnet", StringComparison.Ordinal)).ToArray();

        dotnet.ShouldAllBe(c => c.From == Build.Name && c.Source == c.Destination);
        dotnet.Select(c => c.Source).ShouldBe(["/usr/share/dotnet/dotnet", "/usr/share/dotnet/host", "/usr/share/dotnet/shared"], ignoreOrder: true);
        Runtime.Environment["DOTNET_ROOT"].ShouldBe("/usr/share/dotnet");
    }

    [Fact]
    public void ACpuImageWhoseTrainerCannotLoadLibtorchDoesNotBuild()
    {
        Runtime.Arguments("RUN").ShouldContain(r => r.Contains("\"$BACKEND\" = cpu", StringComparison.Ordinal)
            && r.Contains($"{Contract.Trainer.ImagePath} check", StringComparison.Ordinal));
    }

    [Fact]
    public void ImageShPassesOnlyArgumentsTheDockerfileDeclares()
    {
        string script = File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, "scripts/image.sh"));
        var passed = BuildArgument().Matches(script).Select(m => m.Groups[1].Value).ToHashSet();
        var declared = _dockerfile.Arguments.Keys.Concat(Build.Arguments("ARG").Select(a => a.Split('=')[0])).ToHashSet();

        passed.ShouldBe(["BACKEND", "SDK_IMAGE", "RUNTIME_BASE", "NUGET_PACKAGES"], ignoreOrder: true);
        passed.ShouldBeSubsetOf(declared);
        script.ShouldContain($"IMAGE=localhost/{DeployFiles.ImageName}:$VERSION-$backend");
    }

    [GeneratedRegex(@"--build-arg ""?([A-Z_]+)=")]
    private static partial Regex BuildArgument();

    [Fact]
    public void TheEntryPointIsTheSiloRunFromItsOwnFolder()
    {
        Runtime.Entrypoint.ShouldBe([Contract.Silo.ImagePath]);
        Runtime.WorkingDirectory.ShouldBe(Contract.Silo.ImageFolder);
        DeployFiles.SiloContainer["command"].Exists.ShouldBeFalse("the Deployment relies on the image's entry point");
    }

    [Fact]
    public void TheSiloFindsTheTrainerWhereTheImagePutsIt()
    {
        Runtime.Environment["Workers__TrainerPath"].ShouldBe(Contract.Trainer.ImagePath);
        DeployFiles.EnvironmentOf(DeployFiles.SiloContainer)["Workers__TrainerPath"].ShouldBe(Contract.Trainer.ImagePath);
    }

    [Fact]
    public void TheImagesResultsFolderIsTheOneTheSilosMount()
    {
        var silo = DeployFiles.EnvironmentOf(DeployFiles.SiloContainer);

        Runtime.Environment["Results__Folder"].ShouldBe(silo["Results__Folder"]);
    }

    [Fact]
    public void TheImageExposesExactlyTheSilosContainerPorts()
    {
        Runtime.ExposedPorts.ShouldBe(DeployFiles.SiloContainer["ports"].Items.Select(p => p["containerPort"].Int), ignoreOrder: true);
    }

    [Fact]
    public void PodsRunAsTheImagesNonRootUser()
    {
        Runtime.User.ShouldNotBeNull();
        int user = int.Parse(Runtime.User);
        user.ShouldBeGreaterThan(0);
        var ours = DeployFiles.Manifests.Where(m => m.IsWorkload && m.Containers.Any(DeployFiles.RunsOurImage)).ToArray();
        ours.Select(w => w.Name).ShouldBe([DeployFiles.Silos.Name, DeployFiles.MigrationJob.Name, DeployFiles.SweepJob.Name], ignoreOrder: true);
        foreach (var workload in ours)
        {
            workload.PodSpec["securityContext"]["runAsUser"].Int.ShouldBe(user, workload.ToString());
        }
        // The results volume is written by that user, and the Secret's files (mode 0440) are read by it.
        DeployFiles.Silos.PodSpec["securityContext"]["fsGroup"].Int.ShouldBe(user);
        DeployFiles.MigrationJob.PodSpec["securityContext"]["fsGroup"].Int.ShouldBe(user);
    }

    [Fact]
    public void TheImagesUserOwnsTheLogsFolder()
    {
        // Without it the silo, started with `docker run`, could not create its log files, and Serilog would say so
        // only on stderr.
        string folder = Runtime.Environment["Logs__Folder"];
        string user = Runtime.User!;
        var commands = Runtime.Arguments("RUN").SelectMany(run => run.Split("&&")).Select(c => c.Trim()).ToArray();

        folder.ShouldStartWith("/");
        commands.ShouldContain($"mkdir -p {folder}");
        commands.ShouldContain(c => c.StartsWith("chown ", StringComparison.Ordinal) && c.EndsWith($" {folder}", StringComparison.Ordinal)
            && (c.Contains($" {user}:", StringComparison.Ordinal) || c.Contains(" app:app ", StringComparison.Ordinal)));
        // useradd names uid 1654 "app"; the chown above may use either.
        commands.ShouldContain(c => c.StartsWith("useradd", StringComparison.Ordinal) && c.Contains($"--uid {user}", StringComparison.Ordinal)
            && c.EndsWith(" app", StringComparison.Ordinal));
        DeployFiles.EnvironmentOf(DeployFiles.SiloContainer)["Logs__Folder"].ShouldBe(folder, "the Deployment mounts an emptyDir there");
    }

    [Fact]
    public void TheSweepClientFindsTheSiloItStartsForRun()
    {
        Runtime.Environment["UNROLLEDGAN_SILO"].ShouldBe(Contract.Silo.ImagePath);
    }

    [Fact]
    public void TheBuildContextLeavesOutBuildOutputAndGitHistory()
    {
        var ignored = DeployFiles.Read("docker/Dockerfile.dockerignore").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        ignored.ShouldContain(".git");
        ignored.ShouldContain("artifacts");
        ignored.ShouldContain("**/bin");
        ignored.ShouldContain("**/obj");
    }
}
