using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The manifests as a set: they parse, name themselves, sit in the namespace and refer to each other.</summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly HashSet<string> _clusterScopedKinds =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition"];

    public static TheoryData<string> YamlFiles() => new(DeployFiles.YamlFiles().Select(f => Path.GetRelativePath(DeployFiles.Deploy, f)));

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void EveryYamlFileUnderDeployParses(string file)
    {
        var documents = Yaml.LoadAll(DeployFiles.Read(file), file);

        documents.ShouldNotBeEmpty();
        documents.ShouldAllBe(d => d.Exists);
    }

    [Fact]
    public void EveryManifestNamesItsApiVersionKindAndName()
    {
        DeployFiles.Manifests.Count.ShouldBeGreaterThanOrEqualTo(10);
        foreach (var manifest in DeployFiles.Manifests)
        {
            manifest.Root["apiVersion"].Text.ShouldNotBeNullOrWhiteSpace(manifest.File);
            manifest.Kind.ShouldNotBeNullOrWhiteSpace(manifest.File);
            DnsLabelOrSubdomain().IsMatch(manifest.Name).ShouldBeTrue($"{manifest}: not a valid object name");
        }
    }

    [Fact]
    public void EveryNamespacedObjectIsInTheUnrolledGanNamespace()
    {
        DeployFiles.Single("Namespace", Contract.Namespace).Namespace.ShouldBeNull();
        foreach (var manifest in DeployFiles.Manifests.Where(m => !_clusterScopedKinds.Contains(m.Kind)))
        {
            manifest.Namespace.ShouldBe(Contract.Namespace, manifest.ToString());
        }
    }

    [Fact]
    public void NoTwoObjectsShareAKindAndName()
    {
        DeployFiles.Manifests.GroupBy(m => (m.Kind, m.Name)).Where(g => g.Count() > 1).Select(g => g.Key.ToString())
            .ShouldBeEmpty();
    }

    [Fact]
    public void TheKustomizationListsExactlyTheManifestFiles()
    {
        var kustomization = Yaml.Load(File.ReadAllText(DeployFiles.KustomizationFile), "kustomization.yaml");
        var listed = kustomization["resources"].Items.Select(r => r.Text).ToArray();
        var present = Directory.EnumerateFiles(DeployFiles.Kubernetes, "*.y*ml")
            .Where(f => f != DeployFiles.KustomizationFile)
            .Select(Path.GetFileName)
            .ToArray();

        kustomization["kind"].Text.ShouldBe("Kustomization");
        listed.ShouldBeUnique();
        listed.ShouldBe(present, ignoreOrder: true);
    }

    [Fact]
    public void TheKustomizationImageEntryNamesTheImageTheWorkloadsRun()
    {
        var kustomization = Yaml.Load(File.ReadAllText(DeployFiles.KustomizationFile), "kustomization.yaml");
        string siloImage = DeployFiles.SiloContainer["image"].Text;

        DeployFiles.SweepClientContainer["image"].Text.ShouldBe(siloImage, "the sweep client runs from the silo's image");
        kustomization["images"].Items.Select(i => i["name"].Text).ShouldContain(siloImage.Split(':')[0]);
    }

    [Fact]
    public void EveryWorkloadSelectorMatchesItsOwnPodLabels()
    {
        foreach (var workload in DeployFiles.Manifests.Where(m => m.IsWorkload && m.Kind != "Job"))
        {
            var selector = workload.Root["spec"]["selector"]["matchLabels"].TextMap;
            var labels = workload.PodTemplate["metadata"]["labels"].TextMap;

            selector.ShouldNotBeEmpty(workload.ToString());
            selector.ShouldAllBe(pair => labels.ContainsKey(pair.Key) && labels[pair.Key] == pair.Value, workload.ToString());
        }
    }

    [Fact]
    public void EveryServiceSelectsAWorkloadAndTargetsPortsItsContainersDeclare()
    {
        foreach (var service in DeployFiles.Manifests.Where(m => m.Kind == "Service"))
        {
            var selected = SelectedWorkloads(service);
            selected.ShouldNotBeEmpty($"{service} selects no pods");
            foreach (var workload in selected)
            {
                var ports = workload.PodSpec["containers"].Items.SelectMany(c => c["ports"].Items).ToArray();
                foreach (var port in service.Root["spec"]["ports"].Items)
                {
                    string target = port["targetPort"].TextOrNull ?? port["port"].Text;
                    ports.ShouldContain(p => p["name"].TextOrNull == target || p["containerPort"].Text == target,
                        $"{service} port {port["name"].TextOrNull} targets {target}, which {workload} does not declare");
                }
            }
        }
    }

    [Fact]
    public void HeadlessServicePortsEqualTheContainerPortsClientsDial()
    {
        // A headless name resolves to pod IPs, so a client dials the container port itself, whatever the
        // service's port says: the two must be the same number.
        foreach (var service in DeployFiles.Manifests.Where(m => m.Kind == "Service" && m.Root["spec"]["clusterIP"].TextOrNull == "None"))
        {
            foreach (var workload in SelectedWorkloads(service))
            {
                var ports = workload.PodSpec["containers"].Items.SelectMany(c => c["ports"].Items).ToArray();
                foreach (var port in service.Root["spec"]["ports"].Items)
                {
                    string target = port["targetPort"].Text;
                    var container = ports.Single(p => p["name"].TextOrNull == target || p["containerPort"].Text == target);
                    container["containerPort"].Int.ShouldBe(port["port"].Int, $"{service} port {target}");
                }
            }
        }
    }

    [Fact]
    public void EveryConfigMapAndClaimAPodUsesIsDefined()
    {
        foreach (var workload in DeployFiles.Manifests.Where(m => m.IsWorkload))
        {
            foreach (var volume in workload.PodSpec["volumes"].Items)
            {
                if (volume["configMap"].Exists)
                {
                    Should.NotThrow(() => DeployFiles.Single("ConfigMap", volume["configMap"]["name"].Text), workload.ToString());
                }
                if (volume["persistentVolumeClaim"].Exists)
                {
                    Should.NotThrow(() => DeployFiles.Single("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"].Text));
                }
            }
            foreach (var container in workload.PodSpec["containers"].Items)
            {
                var volumeNames = workload.PodSpec["volumes"].Items.Select(v => v["name"].Text).ToArray();
                container["volumeMounts"].Items.ShouldAllBe(m => volumeNames.Contains(m["name"].Text), workload.ToString());
                // Resolving the environment follows every configMapRef and configMapKeyRef, and throws on a dangling one.
                Should.NotThrow(() => DeployFiles.EnvironmentOf(container), workload.ToString());
            }
        }
    }

    [Fact]
    public void EnvironmentReferencesNameOnlyVariablesDefinedBeforeThem()
    {
        foreach (var workload in DeployFiles.Manifests.Where(m => m.IsWorkload))
        {
            foreach (var container in workload.PodSpec["containers"].Items)
            {
                var defined = container["envFrom"].Items
                    .SelectMany(s => DeployFiles.ConfigMap(s["configMapRef"]["name"].Text)["data"].TextMap.Keys)
                    .ToHashSet();
                foreach (var variable in container["env"].Items)
                {
                    foreach (Match reference in VariableReference().Matches(variable["value"].TextOrNull ?? ""))
                    {
                        defined.ShouldContain(reference.Groups[1].Value,
                            $"{variable["name"].Text} uses $({reference.Groups[1].Value}); Kubernetes expands only variables defined earlier");
                    }
                    defined.Add(variable["name"].Text);
                }
            }
        }
    }

    [Fact]
    public void EveryEnvironmentVariableIsAKnownConfigurationKey()
    {
        foreach (var workload in DeployFiles.Manifests.Where(m => m.IsWorkload && m.Root["metadata"]["labels"]["app.kubernetes.io/name"].TextOrNull == "unrolledgan"))
        {
            foreach (var container in workload.PodSpec["containers"].Items)
            {
                var names = container["env"].Items.Select(v => v["name"].Text)
                    .Concat(container["envFrom"].Items.SelectMany(s => DeployFiles.ConfigMap(s["configMapRef"]["name"].Text)["data"].TextMap.Keys));

                names.Where(n => !Contract.IsAllowedEnvironmentName(n)).ShouldBeEmpty($"{workload}: unknown configuration keys");
            }
        }
    }

    internal static IReadOnlyList<Manifest> SelectedWorkloads(Manifest service)
    {
        var selector = service.Root["spec"]["selector"].TextMap;
        return DeployFiles.Manifests
            .Where(m => m.IsWorkload && m.Namespace == service.Namespace)
            .Where(m => m.PodTemplate["metadata"]["labels"].TextMap is var labels
                        && selector.Count > 0
                        && selector.All(pair => labels.TryGetValue(pair.Key, out string? value) && value == pair.Value))
            .ToArray();
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsLabelOrSubdomain();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}
