using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The silo Deployment against the configuration contract of the silo and the services around it.</summary>
public sealed class SiloDeploymentTests
{
    private static Manifest Silos => DeployFiles.Silos;
    private static Yaml Container => DeployFiles.SiloContainer;
    private static IReadOnlyDictionary<string, string> Environment => DeployFiles.EnvironmentOf(Container);

    /// <summary>What the downward API would give one pod.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Pod = new Dictionary<string, string>
    {
        ["status.podIP"] = "10.1.2.3", ["metadata.name"] = "unrolledgan-silo-7d9f8b6c5-x2x7q", ["metadata.namespace"] = Contract.Namespace,
    };

    /// <summary>The silo's configuration as that pod's environment gives it (Section__Key read as Section:Key).</summary>
    internal static IConfiguration Configuration => new ConfigurationBuilder()
        .AddInMemoryCollection(DeployFiles.Expanded(Container, Pod)
            .Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
        .Build();

    private static int ContainerPort(string name) => DeployFiles.ContainerPort(Silos, name);

    [Fact]
    public void TheSilosAreAnOrdinaryDeploymentWithNoSpecialPod()
    {
        Silos.Kind.ShouldBe("Deployment", "a StatefulSet's ordinals would invite a special pod 0");
        Silos.Root["spec"]["replicas"].Int.ShouldBeGreaterThanOrEqualTo(2);
        ClusteringOptions.From(Configuration).Provider.ShouldBe(ClusterProvider.Postgres, "the embedded provider makes instance 0 the primary");
        (Environment.GetValueOrDefault("Cluster__Instance") ?? "0").ShouldBe("0");
        // Nothing names one pod: no ordinal pod name, no per-pod DNS name, no service that publishes pods before they are ready.
        Environment.Values.ShouldAllBe(v => !v.Contains(Silos.Name + "-0", StringComparison.Ordinal));
        DeployFiles.Default.OfKind("Service").ShouldAllBe(s => s.Root["spec"]["publishNotReadyAddresses"].TextOrNull != "true");
        DeployFiles.Default.OfKind("Service").Where(s => KubernetesManifestTests.SelectedWorkloads(s).Contains(Silos))
            .Select(s => s.Name).ShouldBe(["unrolledgan-gateway"], "the gateway is the only service the silos need");
    }

    [Fact]
    public void EverySiloListensOnAndAdvertisesItsPodIp()
    {
        var cluster = ClusteringOptions.From(Configuration);

        Environment["Cluster__Address"].ShouldBe("$(POD_IP)");
        Environment["POD_IP"].ShouldBe("fieldRef:status.podIP");
        // The silo binds its silo and gateway ports to this one address and advertises it (SiloHosting).
        cluster.ResolveAddress(tls: ClusterTlsOptions.From(Configuration).Configured).ShouldBe(IPAddress.Parse(Pod["status.podIP"]));
        Validate(cluster).ShouldBeEmpty();
    }

    [Fact]
    public void EachSiloIsNamedAfterItsPod()
    {
        Environment["POD_NAME"].ShouldBe("fieldRef:metadata.name");
        ClusteringOptions.From(Configuration).SiloName.ShouldBe(Pod["metadata.name"]);
    }

    [Fact]
    public void MetricsListenOnThePodIpAndTheDashboardOnLoopbackOnly()
    {
        var telemetry = Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()!;
        var dashboard = Configuration.GetSection(SiloDashboardOptions.SectionName).Get<SiloDashboardOptions>() ?? new SiloDashboardOptions();

        // Prometheus scrapes the pod address; the dashboard, with no authentication yet, is for kubectl port-forward.
        telemetry.PrometheusHost.ShouldBe(Pod["status.podIP"]);
        IPAddress.IsLoopback(IPAddress.Parse(dashboard.Host)).ShouldBeTrue(dashboard.Host);
    }

    [Fact]
    public void ThePodsConfigurationIsValidForEveryOptionsClassTheSiloBinds()
    {
        var configuration = Configuration;
        object[] bound =
        [
            ClusteringOptions.From(configuration),
            configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>() ?? new WorkerOptions(),
            configuration.GetSection(ResultsOptions.SectionName).Get<ResultsOptions>() ?? new ResultsOptions(),
            configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions(),
            configuration.GetSection(SiloDashboardOptions.SectionName).Get<SiloDashboardOptions>() ?? new SiloDashboardOptions(),
            configuration.GetSection("Cluster:Membership").Get<ClusterMembershipOptions>() ?? new ClusterMembershipOptions(),
        ];

        bound.SelectMany(Validate).ShouldBeEmpty();
    }

    [Fact]
    public void TheConfiguredPortsAreTheDeclaredContainerPorts()
    {
        int.Parse(Environment["Cluster__SiloPort"]).ShouldBe(ContainerPort("silo"));
        int.Parse(Environment["Cluster__GatewayPort"]).ShouldBe(ContainerPort("gateway"));
        int.Parse(Environment["Telemetry__PrometheusPort"]).ShouldBe(ContainerPort("metrics"));
    }

    private static IEnumerable<string> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => $"{options.GetType().Name}: {r.ErrorMessage}");
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

        var volume = Silos.PodSpec["volumes"].Items.Single(v => v["name"].Text == mount["name"].Text);
        var claim = DeployFiles.Single("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"].Text);

        // Every silo mounts the same claim; only ReadWriteMany lets pods on different nodes do that.
        claim.Root["spec"]["accessModes"].Items.Select(m => m.Text).ShouldBe(["ReadWriteMany"]);
        Silos.Root["spec"]["volumeClaimTemplates"].Exists.ShouldBeFalse("a claim template would give each silo its own volume");
    }

    [Fact]
    public void TrainersHaveTimeToCheckpointBeforeKubernetesKillsTheSilo()
    {
        var grace = TimeSpan.FromSeconds(Silos.PodSpec["terminationGracePeriodSeconds"].Int);
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
        var annotations = Silos.PodTemplate["metadata"]["annotations"].TextMap;

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
