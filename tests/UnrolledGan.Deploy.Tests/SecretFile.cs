namespace UnrolledGan.Deploy.Tests;

/// <summary>A key of a Secret that a container reads as a file, and the path it reads it at.</summary>
public sealed record SecretFile(string Secret, string Key, string Path)
{
    /// <summary>Every Secret key the container mounts. Each Secret volume must list its keys, so a pod gets only those.</summary>
    public static IReadOnlyList<SecretFile> In(Manifest workload, Yaml container)
    {
        var files = new List<SecretFile>();
        foreach (var mount in container["volumeMounts"].Items)
        {
            var secret = workload.Volume(mount["name"].Text)["secret"];
            if (!secret.Exists)
            {
                continue;
            }
            var items = secret["items"].Items;
            items.ShouldNotBeEmpty($"{workload}: volume {mount["name"].Text} mounts all of {secret["secretName"].Text}; list the keys it needs");
            foreach (var item in items)
            {
                string? subPath = mount["subPath"].TextOrNull;
                if (subPath is null || subPath == item["path"].Text)
                {
                    string path = subPath is null ? $"{mount["mountPath"].Text}/{item["path"].Text}" : mount["mountPath"].Text;
                    files.Add(new SecretFile(secret["secretName"].Text, item["key"].Text, path));
                }
            }
        }
        return files;
    }

    /// <summary>Every (Secret, key) a deployment's containers read.</summary>
    public static IReadOnlySet<(string Secret, string Key)> ReferencedBy(Kustomization deployment) => deployment.Workloads
        .SelectMany(w => w.Containers.SelectMany(c => In(w, c)))
        .Select(f => (f.Secret, f.Key))
        .ToHashSet();
}
