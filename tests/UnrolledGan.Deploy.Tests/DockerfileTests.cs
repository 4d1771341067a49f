namespace UnrolledGan.Deploy.Tests;

/// <summary>The image: what it builds, where it puts it, and that the manifests run what is there.</summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile _dockerfile = Dockerfile.Parse(DeployFiles.Read("docker/Dockerfile"));

    private static DockerStage Runtime => _dockerfile.FinalStage;

    public static TheoryData<string> Executables() => new(Contract.Executables.Select(e => e.AssemblyName));

    private static Executable Named(string assemblyName) => Contract.Executables.Single(e => e.AssemblyName == assemblyName);

    [Fact]
    public void TheBuildStageIsTheDotnet10Sdk()
    {
        _dockerfile.Stages[0].BaseImage.ShouldBe("mcr.microsoft.com/dotnet/sdk:10.0");
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public void EachExecutableIsPublishedInReleaseToItsImageFolder(string assemblyName)
    {
        var executable = Named(assemblyName);
        var build = _dockerfile.Stages[0];

        var publish = build.Publishes.Where(p => p.Project == executable.Project).ShouldHaveSingleItem();
        publish.Output.ShouldBe(executable.ImageFolder);
        publish.Configuration.ShouldBe("Release");
        Runtime.CopiesFromStages.ShouldContain((build.Name!, executable.ImageFolder, executable.ImageFolder));
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public void EachPublishedProjectExistsInTheRepository(string assemblyName)
    {
        var executable = Named(assemblyName);
        // src/Silo and src/SweepClient arrive with the silo work; until the folder exists there is nothing to check.
        string topFolder = Path.Combine(DeployFiles.RepositoryRoot, string.Join('/', executable.Project.Split('/')[..2]));
        Assert.SkipUnless(Directory.Exists(topFolder), $"{topFolder} does not exist yet");

        File.Exists(Path.Combine(DeployFiles.RepositoryRoot, executable.Project)).ShouldBeTrue(executable.Project);
    }

    [Fact]
    public void OnlyTheTrainerIsBuiltForCuda()
    {
        var publishes = _dockerfile.Stages[0].Publishes;

        publishes.Single(p => p.Project == Contract.Trainer.Project).Properties["TorchBackend"].ShouldBe("cuda");
        publishes.Where(p => p.Project != Contract.Trainer.Project).ShouldAllBe(p => !p.Properties.ContainsKey("TorchBackend"));
    }

    [Fact]
    public void TheRuntimeIsCudaOnUbuntu2404WithTheLibrariesTheTrainerLoads()
    {
        // Ubuntu 24.04's libstdc++ has GLIBCXX_3.4.32, which libLibTorchSharp.so needs; older bases need the patch.
        Runtime.BaseImage.ShouldStartWith("nvidia/cuda:12.");
        Runtime.BaseImage.ShouldEndWith("ubuntu24.04");
        Runtime.BaseImage.ShouldContain("runtime");
        string installs = string.Join(' ', Runtime.Arguments("RUN"));
        installs.ShouldContain("apt-get install");
        foreach (string package in new[] { "libgomp1", "fontconfig", "fonts-dejavu-core", "libicu74" })
        {
            installs.Split(' ').ShouldContain(package);
        }
    }

    [Fact]
    public void TheDotnetRuntimeComesFromA10ImageForTheSameUbuntuRelease()
    {
        var (from, source, destination) = Runtime.CopiesFromStages.Single(c => c.Destination == "/usr/share/dotnet");
        var stage = _dockerfile.Stage(from);

        source.ShouldBe("/usr/share/dotnet");
        stage.BaseImage.ShouldStartWith("mcr.microsoft.com/dotnet/");
        stage.BaseImage.ShouldEndWith(":10.0-noble", Case.Sensitive, "noble is Ubuntu 24.04, the CUDA image's release");
        Runtime.Environment["DOTNET_ROOT"].ShouldBe(destination);
    }

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
