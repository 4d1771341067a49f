namespace UnrolledGan.Deploy.Tests;

/// <summary>The files under deploy/, read from the repository this test was built from.</summary>
public static class DeployFiles
{
    private static readonly Lazy<string> _root = new(FindRepositoryRoot);
    private static readonly Lazy<IReadOnlyList<Manifest>> _manifests = new(LoadManifests);

    public static string RepositoryRoot => _root.Value;
    public static string Deploy => Path.Combine(RepositoryRoot, "deploy");
    public static string Kubernetes => Path.Combine(Deploy, "kubernetes");
    public static string KustomizationFile => Path.Combine(Kubernetes, "kustomization.yaml");

    public static string Read(string relativeToDeploy) => File.ReadAllText(Path.Combine(Deploy, relativeToDeploy));

    public static IReadOnlyList<string> YamlFiles() => Directory
        .EnumerateFiles(Deploy, "*.*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Every Kubernetes object in deploy/kubernetes, the kustomization itself excepted.</summary>
    public static IReadOnlyList<Manifest> Manifests => _manifests.Value;

    public static Manifest Single(string kind, string name) =>
        Manifests.SingleOrDefault(m => m.Kind == kind && m.Name == name)
        ?? throw new InvalidOperationException($"no {kind} named {name} in deploy/kubernetes");

    public static Manifest SiloStatefulSet => Manifests.Single(m => m.Kind == "StatefulSet");
    public static Manifest SweepJob => Manifests.Single(m => m.Kind == "Job");

    public static Yaml Container(Manifest workload, string name) =>
        workload.PodSpec["containers"].Items.SingleOrDefault(c => c["name"].Text == name) is { Exists: true } container
            ? container
            : throw new InvalidOperationException($"{workload} has no container {name}");

    public static Yaml SiloContainer => Container(SiloStatefulSet, "silo");
    public static Yaml SweepClientContainer => Container(SweepJob, "sweep-client");

    /// <summary>
    /// The environment a container starts with, in Kubernetes' order of precedence: the image's ENV, then envFrom,
    /// then env. A configMapKeyRef is resolved to its value; a fieldRef is shown as "fieldRef:&lt;path&gt;".
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(Yaml container)
    {
        var environment = new Dictionary<string, string>(Dockerfile.Parse(Read("docker/Dockerfile")).FinalStage.Environment);
        foreach (var source in container["envFrom"].Items)
        {
            foreach (var (key, value) in ConfigMap(source["configMapRef"]["name"].Text)["data"].TextMap)
            {
                environment[key] = value;
            }
        }
        foreach (var variable in container["env"].Items)
        {
            environment[variable["name"].Text] = ValueOf(variable);
        }
        return environment;
    }

    public static string ValueOf(Yaml variable)
    {
        if (variable["value"].Exists)
        {
            return variable["value"].Text;
        }
        var from = variable["valueFrom"];
        if (from["configMapKeyRef"].Exists)
        {
            var reference = from["configMapKeyRef"];
            var data = ConfigMap(reference["name"].Text)["data"].TextMap;
            return data.TryGetValue(reference["key"].Text, out string? value)
                ? value
                : throw new InvalidOperationException($"{variable.Path} names key {reference["key"].Text}, which {reference["name"].Text} lacks");
        }
        if (from["fieldRef"].Exists)
        {
            return $"fieldRef:{from["fieldRef"]["fieldPath"].Text}";
        }
        throw new InvalidOperationException($"{variable.Path} has neither value nor a valueFrom these tests know");
    }

    public static Yaml ConfigMap(string name) => Single("ConfigMap", name).Root;

    public static (string Host, int Port) HostAndPort(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        colon.ShouldBeGreaterThan(0, $"'{endpoint}' is not host:port");
        return (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "UnrolledGan.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"no UnrolledGan.sln above {AppContext.BaseDirectory}");
    }

    private static IReadOnlyList<Manifest> LoadManifests() => Directory
        .EnumerateFiles(Kubernetes, "*.yaml")
        .Where(f => f != KustomizationFile)
        .Order(StringComparer.Ordinal)
        .SelectMany(file => Yaml.LoadAll(File.ReadAllText(file), Path.GetFileName(file))
            .Select(document => new Manifest(Path.GetFileName(file), document)))
        .ToArray();
}

public sealed record Manifest(string File, Yaml Root)
{
    public string Kind => Root["kind"].Text;
    public string Name => Root["metadata"]["name"].Text;
    public string? Namespace => Root["metadata"]["namespace"].TextOrNull;
    public Yaml PodTemplate => Root["spec"]["template"];
    public Yaml PodSpec => PodTemplate["spec"];
    public bool IsWorkload => Kind is "StatefulSet" or "Deployment" or "DaemonSet" or "Job";

    public override string ToString() => $"{Kind}/{Name} ({File})";
}
