using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The files under deploy/, read from the repository this test was built from.</summary>
public static partial class DeployFiles
{
    private static readonly Lazy<string> _root = new(FindRepositoryRoot);
    private static readonly Lazy<Kustomization> _default = new(() => Kustomization.Load(Kubernetes));
    private static readonly Lazy<Kustomization> _externalDatabase = new(() => Kustomization.Load(ExternalDatabaseFolder));

    public static string RepositoryRoot => _root.Value;
    public static string Deploy => Path.Combine(RepositoryRoot, "deploy");
    public static string Kubernetes => Path.Combine(Deploy, "kubernetes");
    public static string ExternalDatabaseFolder => Path.Combine(Kubernetes, "external-database");

    public static string Read(string relativeToDeploy) => File.ReadAllText(Path.Combine(Deploy, relativeToDeploy));

    public static IReadOnlyList<string> YamlFiles() => Directory
        .EnumerateFiles(Deploy, "*.*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>What `kubectl apply -k deploy/kubernetes` applies: the default, with PostgreSQL in the cluster.</summary>
    public static Kustomization Default => _default.Value;

    /// <summary>What `kubectl apply -k deploy/kubernetes/external-database` applies.</summary>
    public static Kustomization ExternalDatabase => _externalDatabase.Value;

    /// <summary>Both ways to deploy, by name, for theories that must hold for each.</summary>
    public static Kustomization Named(string name) => name switch
    {
        "default" => Default,
        "external-database" => ExternalDatabase,
        _ => throw new ArgumentException($"no deployment named {name}", nameof(name)),
    };

    public static TheoryData<string> DeploymentNames() => new("default", "external-database");

    public static IReadOnlyList<Manifest> Manifests => Default.Manifests;

    public static Manifest Single(string kind, string name) => Default.Single(kind, name);

    public static Manifest Silos => Default.Component("silo");
    public static Manifest SweepJob => Default.Component("sweep");
    public static Manifest MigrationJob => Default.Component("migrate");
    public static Manifest Database => Default.Component("database", "StatefulSet");

    public static Yaml Container(Manifest workload, string name) =>
        workload.Containers.SingleOrDefault(c => c["name"].Text == name) is { Exists: true } container
            ? container
            : throw new InvalidOperationException($"{workload} has no container {name}");

    public static Yaml SiloContainer => Container(Silos, "silo");
    public static Yaml SchemaWaitContainer => Silos.PodSpec["initContainers"].Items.Single();
    public static Yaml SweepClientContainer => Container(SweepJob, "sweep-client");
    public static Yaml MigrationContainer => Container(MigrationJob, "migrate");
    public static Yaml DatabaseContainer => Container(Database, "postgres");

    /// <summary>The image every container of ours runs, without its tag (kustomization's images entry renames it).</summary>
    public const string ImageName = "unrolledgan";

    public static bool RunsOurImage(Yaml container) => container["image"].Text.Split(':')[0] == ImageName;

    /// <summary>
    /// The environment a container starts with, in Kubernetes' order of precedence: the image's ENV (our image's
    /// only), then envFrom, then env. A configMapKeyRef is resolved to its value; a fieldRef is shown as
    /// "fieldRef:&lt;path&gt;"; $(VAR) references are left as written (see <see cref="Expanded"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(Yaml container)
    {
        var environment = RunsOurImage(container)
            ? new Dictionary<string, string>(Dockerfile.Parse(Read("docker/Dockerfile")).FinalStage.Environment)
            : [];
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

    /// <summary>
    /// The environment as the program sees it: $(VAR) replaced by VAR's value, with each fieldRef given the value the
    /// pod would supply (<paramref name="fields"/>, e.g. status.podIP → 10.1.2.3).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Expanded(Yaml container, IReadOnlyDictionary<string, string> fields)
    {
        var raw = EnvironmentOf(container);
        string Resolve(string value) => value.StartsWith("fieldRef:", StringComparison.Ordinal)
            ? fields[value["fieldRef:".Length..]]
            : VariableReference().Replace(value, m => raw.TryGetValue(m.Groups[1].Value, out string? used) ? Resolve(used) : m.Value);
        return raw.ToDictionary(e => e.Key, e => Resolve(e.Value));
    }

    /// <summary>The names a container sets itself, through env and envFrom (not the image's ENV).</summary>
    public static IEnumerable<string> NamesSetBy(Yaml container) => container["env"].Items.Select(v => v["name"].Text)
        .Concat(container["envFrom"].Items.SelectMany(s => ConfigMap(s["configMapRef"]["name"].Text)["data"].TextMap.Keys));

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

    /// <summary>The number a container port resolves to, by name or number.</summary>
    public static int ContainerPort(Manifest workload, string nameOrNumber) => workload.Containers
        .SelectMany(c => c["ports"].Items)
        .SingleOrDefault(p => p["name"].TextOrNull == nameOrNumber || p["containerPort"].Text == nameOrNumber) is { Exists: true } port
            ? port["containerPort"].Int
            : throw new InvalidOperationException($"{workload} declares no port {nameOrNumber}");

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    public static partial Regex VariableReference();

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
}

public sealed record Manifest(string File, Yaml Root)
{
    public string Kind => Root["kind"].Text;
    public string Name => Root["metadata"]["name"].Text;
    public string? Namespace => Root["metadata"]["namespace"].TextOrNull;
    public IReadOnlyDictionary<string, string> Labels => Root["metadata"]["labels"].TextMap;
    public Yaml PodTemplate => Root["spec"]["template"];
    public Yaml PodSpec => PodTemplate["spec"];
    public IReadOnlyDictionary<string, string> PodLabels => PodTemplate["metadata"]["labels"].TextMap;
    public bool IsWorkload => Kind is "StatefulSet" or "Deployment" or "DaemonSet" or "Job";

    /// <summary>Init containers, then containers: everything that runs in the pod.</summary>
    public IReadOnlyList<Yaml> Containers => PodSpec["initContainers"].Items.Concat(PodSpec["containers"].Items).ToArray();

    /// <summary>The pod's volumes and, for a StatefulSet, its claim templates (named like volumes in the mounts).</summary>
    public IReadOnlyList<Yaml> Volumes => PodSpec["volumes"].Items.Concat(Root["spec"]["volumeClaimTemplates"].Items).ToArray();

    public Yaml Volume(string name) => Volumes.SingleOrDefault(v => v["metadata"]["name"].TextOrNull == name || v["name"].TextOrNull == name)
        is { Exists: true } volume ? volume : throw new InvalidOperationException($"{this} has no volume {name}");

    public override string ToString() => $"{Kind}/{Name} ({File})";
}
