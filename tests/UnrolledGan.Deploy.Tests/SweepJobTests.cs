using System.Globalization;
using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>The sweep Job's command lines and the example sweep spec it submits.</summary>
public sealed partial class SweepJobTests
{
    private static Yaml Container => DeployFiles.SweepClientContainer;

    /// <summary>The client invocations of the Job's shell script, in order, each as its words.</summary>
    private static IReadOnlyList<string[]> Invocations
    {
        get
        {
            var command = Container["command"].Items.Select(c => c.Text).ToArray();
            command[..2].ShouldBe(["/bin/sh", "-c"]);
            return command[2].Split("&&")
                .Select(part => part.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(words => words[0] == "exec" ? words[1..] : words)
                .ToArray();
        }
    }

    private static string Option(string[] words, string option) =>
        words[Array.IndexOf(words, option) + 1];

    private static Yaml SpecMount(string path)
    {
        var mount = Container["volumeMounts"].Items.Single(m => path.StartsWith(m["mountPath"].Text + "/", StringComparison.Ordinal));
        var volume = DeployFiles.SweepJob.PodSpec["volumes"].Items.Single(v => v["name"].Text == mount["name"].Text);
        return DeployFiles.ConfigMap(volume["configMap"]["name"].Text)["data"][Path.GetFileName(path)];
    }

    private static string SubmittedSpecPath => Invocations.Single(w => w[1] == "submit")[2];

    private static Yaml Spec => Yaml.Load(SpecMount(SubmittedSpecPath).Text, SubmittedSpecPath);

    [Fact]
    public void TheJobSubmitsThenWatchesTheSweepItSubmitted()
    {
        Invocations.Select(w => w[1]).ShouldBe(["submit", "watch"]);
        Invocations.ShouldAllBe(w => w[0] == Contract.SweepClient.ImagePath);
        Invocations[1][2].ShouldBe(Spec["name"].Text);
    }

    [Fact]
    public void EveryInvocationUsesAKnownVerbAndTheGatewayService()
    {
        foreach (var words in Invocations)
        {
            Contract.SweepClientVerbs.ShouldContain(words[1]);
            var (host, port) = DeployFiles.HostAndPort(Option(words, "--gateway"));
            string serviceName = host.Split('.')[0];
            var service = DeployFiles.Single("Service", serviceName);

            host.ShouldBeOneOf(serviceName, $"{serviceName}.{Contract.Namespace}.svc.cluster.local");
            service.Root["spec"]["ports"].Items.Select(p => p["port"].Int).ShouldContain(port);
            int.Parse(DeployFiles.EnvironmentOf(DeployFiles.SiloContainer)["Cluster__GatewayPort"], CultureInfo.InvariantCulture).ShouldBe(port);
            KubernetesManifestTests.SelectedWorkloads(service).ShouldBe([DeployFiles.Silos]);
        }
    }

    [Fact]
    public void TheGatewayServiceResolvesToSiloPodsThatAreReady()
    {
        // Orleans clients must dial a gateway's own address (dotnet/orleans#6420), and must not pick one that is
        // still starting: headless, and without publishNotReadyAddresses.
        var service = DeployFiles.Single("Service", DeployFiles.HostAndPort(Option(Invocations[0], "--gateway")).Host.Split('.')[0]);

        service.Root["spec"]["clusterIP"].Text.ShouldBe("None");
        (service.Root["spec"]["publishNotReadyAddresses"].TextOrNull ?? "false").ShouldBe("false");
    }

    [Fact]
    public void TheClientRunsFromItsOwnFolderSoItReadsItsOwnSettings()
    {
        Container["workingDir"].Text.ShouldBe(Contract.SweepClient.ImageFolder);
    }

    [Fact]
    public void TheSpecIsMountedReadOnlyFromTheSweepsConfigMap()
    {
        SpecMount(SubmittedSpecPath).Exists.ShouldBeTrue($"no ConfigMap key is mounted at {SubmittedSpecPath}");
        Container["volumeMounts"].Items.Single(m => SubmittedSpecPath.StartsWith(m["mountPath"].Text + "/", StringComparison.Ordinal))["readOnly"].Text
            .ShouldBe("true");
        DeployFiles.SweepJob.PodSpec["restartPolicy"].Text.ShouldBeOneOf("Never", "OnFailure");
    }

    [Fact]
    public void TheExampleSpecUsesOnlyKnownFields()
    {
        Spec.Entries.Select(e => e.Key).Where(k => !Contract.SweepSpecFields.Contains(k)).ShouldBeEmpty();
        Spec["axes"].Entries.Select(e => e.Key).Where(k => !Contract.SweepSpecAxes.Contains(k)).ShouldBeEmpty();
        (Spec["axes"]["discriminatorSize"].Exists && Spec["axes"]["modelSize"].Exists).ShouldBeFalse("one size axis at most");
    }

    [Fact]
    public void TheExampleSpecIsThePapersMixtureSweep()
    {
        Spec["experiment"].Text.ShouldBe("mixture-of-gaussians");
        Spec["preset"].Text.ShouldBe("paper");
        Spec["axes"]["unroll"].Items.Select(k => k.Int).ShouldBe([0, 1, 5, 10]);
        Spec["axes"]["seeds"].Int.ShouldBe(5);
    }

    [Fact]
    public void TheExampleSpecsValuesAreValid()
    {
        NamePattern().IsMatch(Spec["name"].Text).ShouldBeTrue(Spec["name"].Text);
        Contract.Experiments.ShouldContain(Spec["experiment"].Text);
        Contract.Presets.ShouldContain(Spec["preset"].Text);

        var unroll = Numbers(Spec["axes"]["unroll"]).Select(k => (int)k).ToArray();
        unroll.ShouldNotBeEmpty();
        unroll.ShouldAllBe(k => k >= 0);
        unroll.ShouldBeUnique();

        foreach (var sizes in new[] { Spec["axes"]["discriminatorSize"], Spec["axes"]["modelSize"] }.Where(a => a.Exists).Select(Numbers))
        {
            sizes.ShouldNotBeEmpty();
            sizes.ShouldAllBe(s => s > 0 && double.IsFinite(s));
            sizes.ShouldBeUnique();
        }

        var seeds = Spec["axes"]["seeds"];
        if (seeds.Node is YamlDotNet.RepresentationModel.YamlSequenceNode)
        {
            var list = seeds.Items.Select(s => s.Int).ToArray();
            list.ShouldNotBeEmpty();
            list.ShouldAllBe(s => s >= 0);
            list.ShouldBeUnique();
        }
        else if (seeds.Exists)
        {
            seeds.Int.ShouldBeGreaterThan(0);
        }

        foreach (string count in new[] { "retries", "concurrency" }.Where(f => Spec[f].Exists))
        {
            Spec[count].Int.ShouldBeGreaterThanOrEqualTo(0, count);
        }
        if (Spec["steps"].Exists)
        {
            Spec["steps"].Int.ShouldBeGreaterThan(0);
        }
        Spec["metrics"].Items.Select(m => m.Text).ShouldAllBe(m => Contract.MixtureMetrics.Contains(m));
        Spec["overrides"].Entries.ShouldAllBe(e => e.Value.TextOrNull != null, "overrides map field paths to scalar values");
    }

    [Fact]
    public void TheExampleSpecIsTheRepositorysPaperMixtureSpec()
    {
        string path = Path.Combine(DeployFiles.RepositoryRoot, "specs", Path.GetFileName(SubmittedSpecPath));
        Assert.SkipUnless(File.Exists(path), $"{path} does not exist yet");

        SpecMount(SubmittedSpecPath).Text.ReplaceLineEndings().ShouldBe(File.ReadAllText(path).ReplaceLineEndings());
    }

    /// <summary>A number or a list of numbers, as the spec reader accepts for an axis.</summary>
    private static double[] Numbers(Yaml axis) =>
        (axis.Node is YamlDotNet.RepresentationModel.YamlScalarNode ? [axis] : axis.Items)
        .Select(n => double.Parse(n.Text, CultureInfo.InvariantCulture))
        .ToArray();

    // The sweep planner's rule for names (SweepPlanner.NamePattern).
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
