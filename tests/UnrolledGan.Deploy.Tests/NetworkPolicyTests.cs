using System.Globalization;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// The NetworkPolicies, evaluated the way Kubernetes does for ingress: a pod selected by any policy admits only what
/// some rule of those policies allows. Every pod of the deployment, an admin pod, an unlabelled pod, Prometheus in
/// another namespace and an impostor silo in another namespace try every port every pod declares; exactly the
/// connections the cluster needs get through.
/// </summary>
public sealed class NetworkPolicyTests
{
    private const string AdminLabel = "unrolledgan/admin";
    private const string Monitoring = "monitoring";

    /// <summary>A pod that may open connections: its labels and its namespace.</summary>
    private sealed record Peer(string Name, IReadOnlyDictionary<string, string> Labels, string Namespace);

    private static IReadOnlyList<Peer> Peers(Kustomization deployment) => deployment.Workloads
        .Select(w => new Peer(w.Name, w.PodLabels, w.Namespace!))
        .Concat(
        [
            new Peer("admin", new Dictionary<string, string> { [AdminLabel] = "true" }, Contract.Namespace),
            new Peer("stranger", new Dictionary<string, string> { ["app"] = "other" }, Contract.Namespace),
            new Peer("prometheus", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" }, Monitoring),
            new Peer("impostor", DeployFiles.Silos.PodLabels, "elsewhere"),
        ])
        .ToArray();

    /// <summary>The connections the deployment needs, as (client, server workload, port), every port from the settings that use it.</summary>
    private static IReadOnlySet<(string From, string To, int Port)> Needed(Kustomization deployment)
    {
        var silo = DeployFiles.EnvironmentOf(DeployFiles.SiloContainer);
        string silos = DeployFiles.Silos.Name;
        string collector = DeployFiles.Single("Deployment", "otel-collector").Name;
        int Port(string key) => int.Parse(silo[key], CultureInfo.InvariantCulture);
        int otlp = new Uri(silo["Telemetry__OtlpEndpoint"]).Port;
        var needed = new HashSet<(string, string, int)>
        {
            (silos, silos, Port("Cluster__SiloPort")),
            // Silos also reach gateways, so that a client run in a silo pod (kubectl exec) works.
            (silos, silos, Port("Cluster__GatewayPort")),
            (DeployFiles.SweepJob.Name, silos, Port("Cluster__GatewayPort")),
            ("admin", silos, Port("Cluster__GatewayPort")),
            ("prometheus", silos, Port("Telemetry__PrometheusPort")),
            (silos, collector, otlp),
            (silos, collector, DeployFiles.ContainerPort(DeployFiles.Single("Deployment", "otel-collector"), "otlp-http")),
            ("prometheus", collector, DeployFiles.HostAndPort(OtelCollectorTests.Config["exporters"]["prometheus"]["endpoint"].Text).Port),
        };
        if (deployment.Manifests.Any(m => m.Labels.GetValueOrDefault("app.kubernetes.io/component") == "database"))
        {
            var service = DeployFiles.Single("Service", DeployFiles.Database.Root["spec"]["serviceName"].Text);
            int database = service.Root["spec"]["ports"].Items.Single()["port"].Int;
            needed.Add((silos, DeployFiles.Database.Name, database));
            needed.Add((DeployFiles.MigrationJob.Name, DeployFiles.Database.Name, database));
        }
        return needed;
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void ExactlyTheNeededConnectionsAreAdmitted(string name)
    {
        var deployment = DeployFiles.Named(name);
        var admitted = new HashSet<(string, string, int)>();
        foreach (var server in deployment.Workloads)
        {
            foreach (int port in server.Containers.SelectMany(c => c["ports"].Items).Select(p => p["containerPort"].Int))
            {
                foreach (var client in Peers(deployment).Where(p => Admits(deployment, client: p, server, port)))
                {
                    admitted.Add((client.Name, server.Name, port));
                }
            }
        }

        admitted.ShouldBe(Needed(deployment), ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void IngressIsDeniedByDefaultToEveryPodInTheNamespace(string name)
    {
        var deployment = DeployFiles.Named(name);
        var denyAll = deployment.OfKind("NetworkPolicy").Where(p => p.Root["spec"]["podSelector"].Entries.Count == 0).ShouldHaveSingleItem();

        denyAll.Root["spec"]["policyTypes"].Items.Select(t => t.Text).ShouldBe(["Ingress"]);
        denyAll.Root["spec"]["ingress"].Exists.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void EveryPolicySelectsPodsThatDeclareEveryPortItNames(string name)
    {
        var deployment = DeployFiles.Named(name);
        foreach (var policy in deployment.OfKind("NetworkPolicy").Where(p => p.Root["spec"]["podSelector"].Entries.Count > 0))
        {
            var selected = deployment.Selected(policy.Root["spec"]["podSelector"]["matchLabels"].TextMap, policy.Namespace);
            selected.ShouldHaveSingleItem(policy.ToString());
            foreach (var port in policy.Root["spec"]["ingress"].Items.SelectMany(r => r["ports"].Items))
            {
                // A named port its pods do not declare would silently admit nothing.
                Should.NotThrow(() => DeployFiles.ContainerPort(selected[0], port["port"].Text), $"{policy} port {port["port"].Text}");
                (port["protocol"].TextOrNull ?? "TCP").ShouldBe("TCP");
            }
        }
    }

    [Fact]
    public void TheReadmeShowsTheAdminLabelAndThePrometheusLabel()
    {
        Readme.Text.ShouldContain($"{AdminLabel}=true");
        Readme.Text.ShouldContain("app.kubernetes.io/name=prometheus");
        DeployFiles.Read("monitoring/prometheus.yaml").ShouldContain("app.kubernetes.io/name: prometheus");
    }

    /// <summary>Whether a connection from the client pod to the server's port gets through the ingress policies.</summary>
    private static bool Admits(Kustomization deployment, Peer client, Manifest server, int port)
    {
        var policies = deployment.OfKind("NetworkPolicy")
            .Where(p => p.Namespace == server.Namespace
                        && (p.Root["spec"]["policyTypes"].Items is var types && (types.Count == 0 || types.Any(t => t.Text == "Ingress")))
                        && Selects(p.Root["spec"]["podSelector"], server.PodLabels))
            .ToArray();
        return policies.Length == 0 || policies.Any(policy => policy.Root["spec"]["ingress"].Items.Any(rule =>
            (rule["ports"].Items.Count == 0 || rule["ports"].Items.Any(p => DeployFiles.ContainerPort(server, p["port"].Text) == port))
            && (rule["from"].Items.Count == 0 || rule["from"].Items.Any(from => FromMatches(from, client, policy.Namespace!)))));
    }

    private static bool FromMatches(Yaml from, Peer client, string policyNamespace)
    {
        from["ipBlock"].Exists.ShouldBeFalse("pod traffic is described by selectors here");
        var namespaceLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = client.Namespace };
        bool namespaceMatches = from["namespaceSelector"].Exists
            ? Selects(from["namespaceSelector"], namespaceLabels)
            : client.Namespace == policyNamespace;
        return namespaceMatches && (!from["podSelector"].Exists || Selects(from["podSelector"], client.Labels));
    }

    /// <summary>A label selector; an empty one selects everything.</summary>
    private static bool Selects(Yaml selector, IReadOnlyDictionary<string, string> labels)
    {
        selector["matchExpressions"].Exists.ShouldBeFalse("these tests evaluate matchLabels only");
        return selector["matchLabels"].TextMap.All(pair => labels.TryGetValue(pair.Key, out string? value) && value == pair.Value);
    }
}
