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
    public void EveryManifestFileIsAppliedByTheDefaultOrTheExternalDatabaseKustomization()
    {
        var present = Directory.EnumerateFiles(DeployFiles.Kubernetes, "*.y*ml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .ToArray();

        DeployFiles.Default.Files.ShouldBeUnique();
        DeployFiles.ExternalDatabase.Files.ShouldBeUnique();
        DeployFiles.Default.Files.Union(DeployFiles.ExternalDatabase.Files).ShouldBe(present, ignoreOrder: true);
    }

    [Fact]
    public void TheKustomizationImageEntryNamesTheImageTheWorkloadsRun()
    {
        string siloImage = DeployFiles.SiloContainer["image"].Text;
        var images = DeployFiles.Manifests.Where(m => m.IsWorkload).SelectMany(m => m.Containers).Where(DeployFiles.RunsOurImage).ToArray();

        images.Length.ShouldBeGreaterThanOrEqualTo(4, "silo, its init container, the migration Job and the sweep Job");
        images.ShouldAllBe(c => c["image"].Text == siloImage, "every container of ours runs the one image");
        DeployFiles.Default.Root["images"].Items.Select(i => i["name"].Text).ShouldContain(DeployFiles.ImageName);
    }

    /// <summary>The overlays a user applies (relative to deploy/kubernetes) and the image tag each runs.</summary>
    public static TheoryData<string, string> Overlays() => new()
    {
        { "", "0.1.0-cuda" },
        { "external-database", "0.1.0-cuda" },
        { "cpu", "0.1.0-cpu" },
        { "external-database/cpu", "0.1.0-cpu" },
    };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EachOverlayNamesTheImageItsContainersRun(string overlay, string tag)
    {
        // The image is chosen once, by the overlay applied, and no overlay builds on another's choice: an images entry
        // in a kustomization that another one builds on would rename the image before the outer one could match it.
        string file = Kustomization.FileIn(Path.Combine(DeployFiles.Kubernetes, overlay));
        var root = Yaml.Load(File.ReadAllText(file), Path.GetRelativePath(DeployFiles.Kubernetes, file));
        var image = root["images"].Items.ShouldHaveSingleItem();

        image["name"].Text.ShouldBe(DeployFiles.ImageName);
        image["newTag"].Text.ShouldBe(tag);
        foreach (string resource in root["resources"].Items.Select(r => r.Text))
        {
            string folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, resource));
            if (Directory.Exists(folder))
            {
                Yaml.Load(File.ReadAllText(Kustomization.FileIn(folder)), resource)["images"].Exists.ShouldBeFalse($"{resource} names an image");
            }
        }
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
            foreach (var container in workload.Containers)
            {
                var volumeNames = workload.Volumes.Select(v => v["name"].TextOrNull ?? v["metadata"]["name"].Text).ToArray();
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
            foreach (var container in workload.Containers)
            {
                var defined = container["envFrom"].Items
                    .SelectMany(s => DeployFiles.ConfigMap(s["configMapRef"]["name"].Text)["data"].TextMap.Keys)
                    .ToHashSet();
                foreach (var variable in container["env"].Items)
                {
                    foreach (Match reference in DeployFiles.VariableReference().Matches(variable["value"].TextOrNull ?? ""))
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
    public void EveryEnvironmentVariableOfOurImageIsAKeyTheProgramsRead()
    {
        foreach (var workload in DeployFiles.Manifests.Where(m => m.IsWorkload))
        {
            foreach (var container in workload.Containers.Where(DeployFiles.RunsOurImage))
            {
                DeployFiles.NamesSetBy(container).Where(n => !Contract.IsAllowedEnvironmentName(n, container))
                    .ShouldBeEmpty($"{workload} {container["name"].Text}: unknown keys");
            }
        }
    }

    [Fact]
    public void TheConfigurationKeysComeFromTheOptionsClasses()
    {
        // The set is derived, so that a renamed or removed setting fails here rather than being ignored by the silo.
        Contract.ConfigurationKeys.ShouldContain("Cluster__Provider");
        Contract.ConfigurationKeys.ShouldContain("Cluster__Address");
        Contract.ConfigurationKeys.ShouldContain("Workers__LeaseTimeout");
        Contract.ConfigurationKeys.ShouldContain("Telemetry__PrometheusHost");
        Contract.ConfigurationKeys.ShouldContain("Dashboard__Host");
        Contract.ConfigurationKeys.ShouldContain("Cluster__Membership__ProbeTimeout");
        Contract.ConfigurationKeys.ShouldContain("Database__ConnectionStringFile");
        Contract.ConfigurationKeys.ShouldNotContain("Cluster__InstanceSiloPort", "computed, not a setting");
        Contract.ConfigurationKeys.ShouldNotContain("Cluster__PrimarySiloEndpoint", "development clustering's, gone");
        Contract.ConfigurationKeys.ShouldNotContain("Cluster__AdvertisedAddress", "replaced by Cluster__Address");
    }

    internal static IReadOnlyList<Manifest> SelectedWorkloads(Manifest service) =>
        service.Root["spec"]["selector"].TextMap is { Count: > 0 } selector ? DeployFiles.Default.Selected(selector, service.Namespace) : [];

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsLabelOrSubdomain();
}
