namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// The objects a kustomization folder applies, for the parts of kustomize this repository uses: resources that are
/// files or folders with their own kustomization, plus the labels and images transformers, which these tests leave
/// unapplied (the manifests already carry the image and the labels that matter). Anything else fails loudly rather
/// than being ignored. ExternalDatabaseTests checks the result against kubectl's own kustomize, and
/// scripts/manifests-test.sh renders every overlay with it and validates each object against Kubernetes' schemas.
/// </summary>
public sealed class Kustomization
{
    private static readonly HashSet<string> _fields = ["apiVersion", "kind", "resources", "labels", "images"];

    private Kustomization(string folder, Yaml root, IReadOnlyList<Manifest> manifests, IReadOnlyList<string> files)
    {
        Folder = folder;
        Root = root;
        Manifests = manifests;
        Files = files;
    }

    public string Folder { get; }

    public Yaml Root { get; }

    /// <summary>Every object it applies, in order; each names its file relative to deploy/kubernetes.</summary>
    public IReadOnlyList<Manifest> Manifests { get; }

    /// <summary>Every manifest file it reads, through folders too, as full paths.</summary>
    public IReadOnlyList<string> Files { get; }

    public static string FileIn(string folder) => Path.Combine(folder, "kustomization.yaml");

    public static Kustomization Load(string folder)
    {
        var root = Yaml.Load(File.ReadAllText(FileIn(folder)), Path.GetRelativePath(DeployFiles.Kubernetes, FileIn(folder)));
        root["kind"].Text.ShouldBe("Kustomization");
        root.Entries.Select(e => e.Key).Where(k => !_fields.Contains(k)).ShouldBeEmpty($"{root.Path} uses fields these tests do not evaluate");
        var manifests = new List<Manifest>();
        var files = new List<string>();
        foreach (string resource in root["resources"].Items.Select(r => r.Text))
        {
            string path = Path.GetFullPath(Path.Combine(folder, resource));
            if (Directory.Exists(path))
            {
                var inner = Load(path);
                manifests.AddRange(inner.Manifests);
                files.AddRange(inner.Files);
            }
            else if (File.Exists(path))
            {
                string name = Path.GetRelativePath(DeployFiles.Kubernetes, path);
                manifests.AddRange(Yaml.LoadAll(File.ReadAllText(path), name).Select(document => new Manifest(name, document)));
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"{root.Path} lists {resource}, which does not exist", path);
            }
        }
        return new Kustomization(folder, root, manifests, files);
    }

    public Manifest Single(string kind, string name) =>
        Manifests.SingleOrDefault(m => m.Kind == kind && m.Name == name)
        ?? throw new InvalidOperationException($"no {kind} named {name} in {Folder}");

    /// <summary>The one workload whose pods carry app.kubernetes.io/component: <paramref name="component"/>.</summary>
    public Manifest Component(string component, string? kind = null) => Workloads
        .Where(m => m.PodLabels.GetValueOrDefault("app.kubernetes.io/component") == component && (kind is null || m.Kind == kind))
        .ShouldHaveSingleItem($"workloads of component {component}");

    public IEnumerable<Manifest> Workloads => Manifests.Where(m => m.IsWorkload);

    public IEnumerable<Manifest> OfKind(string kind) => Manifests.Where(m => m.Kind == kind);

    /// <summary>The workloads whose pods a Service or NetworkPolicy selector (matchLabels or a plain map) picks.</summary>
    public IReadOnlyList<Manifest> Selected(IReadOnlyDictionary<string, string> selector, string? inNamespace) => Workloads
        .Where(m => m.Namespace == inNamespace
                    && selector.All(pair => m.PodLabels.TryGetValue(pair.Key, out string? value) && value == pair.Value))
        .ToArray();

    public override string ToString() => Path.GetRelativePath(DeployFiles.Deploy, Folder);
}
