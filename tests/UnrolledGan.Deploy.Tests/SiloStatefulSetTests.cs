namespace UnrolledGan.Deploy.Tests;

/// <summary>The silo StatefulSet against the configuration contract of the silo and the services around it.</summary>
public sealed class SiloStatefulSetTests
{
    private static Manifest StatefulSet => DeployFiles.SiloStatefulSet;
    private static Yaml Container => DeployFiles.SiloContainer;
    private static IReadOnlyDictionary<string, string> Environment => DeployFiles.EnvironmentOf(Container);

    private static int ContainerPort(string name) =>
        Container["ports"].Items.SingleOrDefault(p => p["name"].TextOrNull == name) is { Exists: true } port
            ? port["containerPort"].Int
            : throw new InvalidOperationException($"the silo container declares no port named {name}");

    [Fact]
    public void PodZeroStartsFirstBecauseItIsThePrimarySilo()
    {
        StatefulSet.Root["spec"]["podManagementPolicy"].Text.ShouldBe("OrderedReady");
        StatefulSet.Root["spec"]["replicas"].Int.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void ThePrimarySiloEndpointIsPodZeroThroughTheHeadlessServiceOnTheSiloPort()
    {
        string serviceName = StatefulSet.Root["spec"]["serviceName"].Text;
        var (host, port) = DeployFiles.HostAndPort(Environment["Cluster__PrimarySiloEndpoint"]);

        host.ShouldBe($"{StatefulSet.Name}-0.{serviceName}.{StatefulSet.Namespace}.svc.cluster.local");
        port.ShouldBe(ContainerPort("silo"));
    }

    [Fact]
    public void TheHeadlessServiceIsTheStatefulSetsServiceAndPublishesPodsBeforeTheyAreReady()
    {
        var service = DeployFiles.Single("Service", StatefulSet.Root["spec"]["serviceName"].Text);

        service.Root["spec"]["clusterIP"].Text.ShouldBe("None");
        // Pod 0 resolves its own name at start-up, before its readiness probe can pass.
        service.Root["spec"]["publishNotReadyAddresses"].Text.ShouldBe("true");
        KubernetesManifestTests.SelectedWorkloads(service).ShouldContain(StatefulSet);
        service.Root["spec"]["ports"].Items.Select(p => p["port"].Int)
            .ShouldBe([ContainerPort("silo"), ContainerPort("gateway")], ignoreOrder: true);
    }

    [Fact]
    public void TheConfiguredPortsAreTheDeclaredContainerPorts()
    {
        int.Parse(Environment["Cluster__SiloPort"]).ShouldBe(ContainerPort("silo"));
        int.Parse(Environment["Cluster__GatewayPort"]).ShouldBe(ContainerPort("gateway"));
        int.Parse(Environment["Telemetry__PrometheusPort"]).ShouldBe(ContainerPort("metrics"));
    }

    [Fact]
    public void EachSiloAdvertisesItsPodIpAndIsNamedAfterItsPod()
    {
        Environment["POD_IP"].ShouldBe("fieldRef:status.podIP");
        Environment["POD_NAME"].ShouldBe("fieldRef:metadata.name");
        Environment["Cluster__AdvertisedAddress"].ShouldBe("$(POD_IP)");
        Environment["Cluster__SiloName"].ShouldBe("$(POD_NAME)");
    }

    [Fact]
    public void TheClusterAndServiceIdsAreSetOnceAndSharedWithTheClient()
    {
        var client = DeployFiles.EnvironmentOf(DeployFiles.SweepClientContainer);

        Environment["Cluster__ClusterId"].ShouldNotBeNullOrWhiteSpace();
        client["Cluster__ClusterId"].ShouldBe(Environment["Cluster__ClusterId"]);
        client["Cluster__ServiceId"].ShouldBe(Environment["Cluster__ServiceId"]);
    }

    [Fact]
    public void TheReadinessProbeIsATcpCheckOnTheGateway()
    {
        string port = Container["readinessProbe"]["tcpSocket"]["port"].Text;

        (port == "gateway" || port == ContainerPort("gateway").ToString()).ShouldBeTrue($"readiness probes port {port}");
    }

    [Fact]
    public void EachSiloGetsAGpuAndFindsItAutomatically()
    {
        var limits = Container["resources"]["limits"];

        limits["nvidia.com/gpu"].Int.ShouldBeGreaterThanOrEqualTo(1);
        if (Container["resources"]["requests"]["nvidia.com/gpu"].Exists)
        {
            Container["resources"]["requests"]["nvidia.com/gpu"].Int.ShouldBe(limits["nvidia.com/gpu"].Int, "extended resources need requests equal to limits");
        }
        Environment["Workers__Gpus"].ShouldBe("auto");
    }

    [Fact]
    public void ResultsLiveOnTheSharedVolumeAtTheConfiguredFolder()
    {
        string folder = Environment["Results__Folder"];
        var mount = Container["volumeMounts"].Items.SingleOrDefault(m => m["mountPath"].Text == folder);
        mount.Exists.ShouldBeTrue($"nothing is mounted at Results__Folder ({folder})");
        (mount["readOnly"].TextOrNull ?? "false").ShouldBe("false");

        var volume = StatefulSet.PodSpec["volumes"].Items.Single(v => v["name"].Text == mount["name"].Text);
        var claim = DeployFiles.Single("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"].Text);

        // Every silo mounts the same claim; only ReadWriteMany lets pods on different nodes do that.
        claim.Root["spec"]["accessModes"].Items.Select(m => m.Text).ShouldBe(["ReadWriteMany"]);
        StatefulSet.Root["spec"]["volumeClaimTemplates"].Exists.ShouldBeFalse("a claim template would give each silo its own volume");
    }

    [Fact]
    public void TrainersHaveTimeToCheckpointBeforeKubernetesKillsTheSilo()
    {
        var grace = TimeSpan.FromSeconds(StatefulSet.PodSpec["terminationGracePeriodSeconds"].Int);
        var trainerGrace = Environment.TryGetValue("Workers__ShutdownGrace", out string? configured)
            ? TimeSpan.Parse(configured, System.Globalization.CultureInfo.InvariantCulture)
            : Contract.DefaultShutdownGrace;

        grace.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(60));
        // The silo waits up to the trainers' grace, then still has to leave the cluster.
        grace.ShouldBeGreaterThanOrEqualTo(trainerGrace + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void PrometheusAnnotationsPointAtTheMetricsPort()
    {
        var annotations = StatefulSet.PodTemplate["metadata"]["annotations"].TextMap;

        annotations["prometheus.io/scrape"].ShouldBe("true");
        annotations["prometheus.io/path"].ShouldBe("/metrics");
        int port = int.Parse(annotations["prometheus.io/port"]);
        port.ShouldBe(int.Parse(Environment["Telemetry__PrometheusPort"]));
        Container["ports"].Items.Select(p => p["containerPort"].Int).ShouldContain(port);
    }

    [Fact]
    public void TheOtlpEndpointReachesTheCollectorsGrpcReceiver()
    {
        var endpoint = new Uri(Environment["Telemetry__OtlpEndpoint"]);
        string serviceName = endpoint.Host.Split('.')[0];
        var service = DeployFiles.Single("Service", serviceName);
        var collector = KubernetesManifestTests.SelectedWorkloads(service).ShouldHaveSingleItem();
        var servicePort = service.Root["spec"]["ports"].Items.Single(p => p["port"].Int == endpoint.Port);
        var containerPort = collector.PodSpec["containers"].Items.SelectMany(c => c["ports"].Items)
            .Single(p => p["name"].TextOrNull == servicePort["targetPort"].Text || p["containerPort"].Text == servicePort["targetPort"].Text);

        endpoint.Scheme.ShouldBe("http");
        endpoint.Host.ShouldBeOneOf(serviceName, $"{serviceName}.{Contract.Namespace}.svc.cluster.local", $"{serviceName}.{Contract.Namespace}.svc", $"{serviceName}.{Contract.Namespace}");
        DeployFiles.HostAndPort(OtelCollectorTests.Config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].Text).Port
            .ShouldBe(containerPort["containerPort"].Int);
    }
}
