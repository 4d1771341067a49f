namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// Issue 10's pod hardening, on every pod of both deployments: no root, the runtime's seccomp profile, no service
/// account token, no privilege escalation or capabilities, and a read-only root filesystem with every folder a
/// program writes on a writable volume.
/// </summary>
public sealed class PodHardeningTests
{
    public static TheoryData<string> Deployments() => DeployFiles.DeploymentNames();

    private static IEnumerable<Manifest> Workloads(string deployment) => DeployFiles.Named(deployment).Workloads;

    [Theory]
    [MemberData(nameof(Deployments))]
    public void EveryPodRunsAsANonRootUserUnderTheRuntimesSeccompProfile(string deployment)
    {
        foreach (var workload in Workloads(deployment))
        {
            var security = workload.PodSpec["securityContext"];

            security["runAsNonRoot"].Text.ShouldBe("true", workload.ToString());
            security["runAsUser"].Int.ShouldBeGreaterThan(0, workload.ToString());
            security["seccompProfile"]["type"].Text.ShouldBe("RuntimeDefault", workload.ToString());
            workload.Containers.ShouldAllBe(c => !c["securityContext"]["runAsUser"].Exists || c["securityContext"]["runAsUser"].Int > 0);
            workload.Containers.ShouldAllBe(c => !c["securityContext"]["seccompProfile"].Exists, "set once, for the pod");
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void NoPodGetsAServiceAccountToken(string deployment)
    {
        // Nothing here talks to the Kubernetes API: silos find each other through the database.
        foreach (var workload in Workloads(deployment))
        {
            workload.PodSpec["automountServiceAccountToken"].Text.ShouldBe("false", workload.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void EveryContainerDropsAllCapabilitiesCannotEscalateAndHasAReadOnlyRoot(string deployment)
    {
        foreach (var workload in Workloads(deployment))
        {
            foreach (var container in workload.Containers)
            {
                var security = container["securityContext"];
                string name = $"{workload} {container["name"].Text}";

                security["allowPrivilegeEscalation"].Text.ShouldBe("false", name);
                security["readOnlyRootFilesystem"].Text.ShouldBe("true", name);
                security["capabilities"]["drop"].Items.Select(c => c.Text).ShouldBe(["ALL"], name);
                security["capabilities"]["add"].Exists.ShouldBeFalse(name);
                (security["privileged"].TextOrNull ?? "false").ShouldBe("false", name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void EveryFolderAProgramWritesIsOnAWritableVolume(string deployment)
    {
        foreach (var workload in Workloads(deployment))
        {
            foreach (var container in workload.Containers)
            {
                foreach (string folder in WrittenFolders(container))
                {
                    var mount = container["volumeMounts"].Items
                        .Where(m => folder == m["mountPath"].Text || folder.StartsWith(m["mountPath"].Text + "/", StringComparison.Ordinal))
                        .OrderByDescending(m => m["mountPath"].Text.Length)
                        .FirstOrDefault();
                    string name = $"{workload} {container["name"].Text} writes {folder}";

                    mount.Exists.ShouldBeTrue($"{name}, which is on the read-only root");
                    (mount["readOnly"].TextOrNull ?? "false").ShouldBe("false", name);
                    var volume = workload.Volume(mount["name"].Text);
                    (volume["emptyDir"].Exists || volume["persistentVolumeClaim"].Exists || volume["spec"]["accessModes"].Exists)
                        .ShouldBeTrue($"{name}, which is not an emptyDir or a volume claim");
                }
            }
        }
    }

    [Fact]
    public void TheSilosLogsAreAnEmptyDirAndItsResultsTheSharedClaim()
    {
        var silos = DeployFiles.Silos;
        var environment = DeployFiles.EnvironmentOf(DeployFiles.SiloContainer);

        VolumeAt(silos, DeployFiles.SiloContainer, environment["Logs__Folder"])["emptyDir"].Exists.ShouldBeTrue();
        VolumeAt(silos, DeployFiles.SiloContainer, environment["Results__Folder"])["persistentVolumeClaim"].Exists.ShouldBeTrue();
    }

    /// <summary>
    /// The folders a container writes: the folders its own settings name (logs, results, the client's state,
    /// PostgreSQL's data), /tmp for our .NET programs (the runtime's diagnostics socket, temporary files) and for
    /// PostgreSQL, and PostgreSQL's socket folder. The collector writes nothing.
    /// </summary>
    private static IEnumerable<string> WrittenFolders(Yaml container)
    {
        var own = DeployFiles.NamesSetBy(container).ToHashSet();
        if (DeployFiles.RunsOurImage(container) || own.Contains("PGDATA"))
        {
            yield return "/tmp";
        }
        var environment = DeployFiles.EnvironmentOf(container);
        foreach (string setting in new[] { "Logs__Folder", "Results__Folder", "XDG_STATE_HOME", "PGDATA" }.Where(own.Contains))
        {
            yield return environment[setting];
        }
        if (own.Contains("PGDATA"))
        {
            yield return "/var/run/postgresql";
        }
    }

    private static Yaml VolumeAt(Manifest workload, Yaml container, string path) =>
        workload.Volume(container["volumeMounts"].Items.Single(m => m["mountPath"].Text == path)["name"].Text);
}
