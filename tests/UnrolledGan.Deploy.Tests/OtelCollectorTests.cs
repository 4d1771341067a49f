namespace UnrolledGan.Deploy.Tests;

/// <summary>The collector's own configuration, which the collector would otherwise reject only at start-up.</summary>
public sealed class OtelCollectorTests
{
    private static Manifest Deployment => DeployFiles.Single("Deployment", "otel-collector");

    public static Yaml Config
    {
        get
        {
            var volume = Deployment.PodSpec["volumes"].Items.Single(v => v["configMap"].Exists);
            return Yaml.Load(DeployFiles.ConfigMap(volume["configMap"]["name"].Text)["data"]["config.yaml"].Text, "otel-collector config.yaml");
        }
    }

    [Fact]
    public void EveryPipelineUsesOnlyComponentsTheConfigDefines()
    {
        var pipelines = Config["service"]["pipelines"].Entries;

        pipelines.Select(p => p.Key).ShouldContain("metrics");
        foreach (var (name, pipeline) in pipelines)
        {
            pipeline["receivers"].Items.ShouldNotBeEmpty(name);
            pipeline["exporters"].Items.ShouldNotBeEmpty(name);
            foreach (string part in new[] { "receivers", "processors", "exporters" })
            {
                var defined = Config[part].Entries.Select(e => e.Key).ToArray();
                pipeline[part].Items.Select(i => i.Text).ShouldAllBe(component => defined.Contains(component), $"{name}.{part}");
            }
        }
        Config["service"]["extensions"].Items.Select(e => e.Text)
            .ShouldAllBe(e => Config["extensions"].Entries.Select(x => x.Key).Contains(e));
    }

    [Fact]
    public void TheCollectorReadsTheConfigFileTheConfigMapMounts()
    {
        var container = Deployment.PodSpec["containers"].Items.Single();
        string configArgument = container["args"].Items.Select(a => a.Text).Single(a => a.StartsWith("--config=", StringComparison.Ordinal));
        var mount = container["volumeMounts"].Items.Single();

        configArgument["--config=".Length..].ShouldBe($"{mount["mountPath"].Text}/config.yaml");
    }

    [Fact]
    public void TheCollectorListensOnThePortsItsContainerDeclares()
    {
        var declared = Deployment.PodSpec["containers"].Items.Single()["ports"].Items.Select(p => p["containerPort"].Int).ToArray();
        var endpoints = new[]
        {
            Config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].Text,
            Config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].Text,
            Config["exporters"]["prometheus"]["endpoint"].Text,
            Config["extensions"]["health_check"]["endpoint"].Text,
        };

        endpoints.Select(e => DeployFiles.HostAndPort(e).Port).ShouldBe(declared, ignoreOrder: true);
        endpoints.ShouldAllBe(e => e.StartsWith("0.0.0.0:"), "a collector in a pod must listen on all interfaces");
    }
}
