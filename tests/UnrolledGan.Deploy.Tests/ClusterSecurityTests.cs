using System.Net;
using System.Net.Security;
using System.Runtime.Versioning;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// Issue 10's guards as the pods get them: mutual TLS on the silo and gateway ports from the TLS Secret, and the
/// read-only metrics token that /metrics demands beyond loopback (issue 18: never the operator's token). A silo refuses to start beyond loopback without either, so these are
/// what stands between the manifests and a crash loop.
/// </summary>
public sealed class ClusterSecurityTests
{
    private const string TokenKey = "token";

    private static IReadOnlyDictionary<string, string> SiloEnvironment => DeployFiles.EnvironmentOf(DeployFiles.SiloContainer);

    /// <summary>The nodes of the cluster and which certificate each presents.</summary>
    private static IEnumerable<(Manifest Workload, Yaml Container, string Node)> Nodes =>
    [
        (DeployFiles.Silos, DeployFiles.SiloContainer, "silo"),
        (DeployFiles.SweepJob, DeployFiles.SweepClientContainer, "client"),
    ];

    private static string TlsSecret =>
        SecretFile.In(DeployFiles.Silos, DeployFiles.SiloContainer).Single(f => f.Path == SiloEnvironment["Tls__CaFile"]).Secret;

    private static string AccessSecret =>
        SecretFile.In(DeployFiles.Silos, DeployFiles.SiloContainer).Single(f => f.Path == SiloEnvironment["Access__TokenFile"]).Secret;

    private static string MetricsSecret =>
        SecretFile.In(DeployFiles.Silos, DeployFiles.SiloContainer).Single(f => f.Path == SiloEnvironment["Access__MetricsTokenFile"]).Secret;

    [Fact]
    public void EverySiloListensBeyondLoopbackOnlyWithTlsAndServesMetricsOnlyWithAToken()
    {
        var configuration = SiloDeploymentTests.Configuration;
        var cluster = ClusteringOptions.From(configuration);

        // The silo's own start-up rules (SiloPreflight): beyond loopback, TLS or Cluster:Insecure; /metrics there, a token.
        IPAddress.IsLoopback(cluster.ResolveAddress(tls: ClusterTlsOptions.From(configuration).Configured)).ShouldBeFalse();
        ClusterTlsOptions.From(configuration).Configured.ShouldBeTrue();
        IPAddress.IsLoopback(IPAddress.Parse(configuration["Telemetry:PrometheusHost"]!)).ShouldBeFalse();
        configuration["Access:MetricsTokenFile"].ShouldNotBeNullOrEmpty();
        configuration["Access:TokenFile"].ShouldNotBeNullOrEmpty();
        // And never the way around them, nor the token itself in the pod spec.
        DeployFiles.Manifests.Where(m => m.IsWorkload).SelectMany(w => w.Containers).SelectMany(DeployFiles.NamesSetBy)
            .ShouldNotContain("Cluster__Insecure");
        DeployFiles.Manifests.Where(m => m.IsWorkload).SelectMany(w => w.Containers).SelectMany(DeployFiles.NamesSetBy)
            .ShouldNotContain("Access__Token");
        DeployFiles.Manifests.Where(m => m.IsWorkload).SelectMany(w => w.Containers).SelectMany(DeployFiles.NamesSetBy)
            .ShouldNotContain("Access__MetricsToken");
    }

    [Fact]
    public void SilosAndTheSweepClientReadTheirCertificateKeyAndTheCaFromTheTlsSecret()
    {
        foreach (var (workload, container, node) in Nodes)
        {
            var environment = DeployFiles.EnvironmentOf(container);

            SecretFile.In(workload, container).Where(f => f.Secret == TlsSecret).ShouldBe(
            [
                new SecretFile(TlsSecret, "ca.crt", environment["Tls__CaFile"]),
                new SecretFile(TlsSecret, $"{node}.crt", environment["Tls__CertificateFile"]),
                new SecretFile(TlsSecret, $"{node}.key", environment["Tls__KeyFile"]),
            ], ignoreOrder: true, workload.ToString());
        }
        DeployFiles.Manifests.Where(m => m.IsWorkload).SelectMany(w => w.Containers.SelectMany(c => SecretFile.In(w, c)))
            .ShouldAllBe(f => f.Key != "ca.key", "the CA's key issues certificates; it stays out of the cluster");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task TheReadmesCertificatesLoadAsEachNodesCredentialsAndTrustEachOther()
    {
        using var folder = new TemporaryFolder();
        var certs = Readme.Sections.SelectMany(s => Readme.Commands(s.Body)).Single(c => c.Contains(" certs ", StringComparison.Ordinal));
        // No names after the folder: `certs` then makes the default nodes, silo and client.
        certs[(certs.IndexOf(" certs ", StringComparison.Ordinal) + " certs ".Length)..].Trim().ShouldNotContain(' ');
        (await Processes.RunAsync(new System.Diagnostics.ProcessStartInfo(Processes.Silo, ["certs", folder.Path]))).ShouldBe(0);
        var secret = Readme.SecretCommands(externalDatabase: false).Single(c => c.Name == TlsSecret);
        string FileFor(string key) => Path.Combine(folder.Path, Path.GetFileName(secret.Files[key]));

        var credentials = Nodes.ToDictionary(n => n.Node, n =>
        {
            var mounted = SecretFile.In(n.Workload, n.Container).Where(f => f.Secret == TlsSecret).ToDictionary(f => f.Path, f => FileFor(f.Key));
            var environment = DeployFiles.EnvironmentOf(n.Container);
            return ClusterCredentials.Load(new ClusterTlsOptions
            {
                CertificateFile = mounted[environment["Tls__CertificateFile"]],
                KeyFile = mounted[environment["Tls__KeyFile"]],
                CaFile = mounted[environment["Tls__CaFile"]],
            })!;
        });
        try
        {
            credentials["silo"].Accepts(credentials["client"].Certificate, null, SslPolicyErrors.None).ShouldBeTrue();
            credentials["client"].Accepts(credentials["silo"].Certificate, null, SslPolicyErrors.None).ShouldBeTrue();
        }
        finally
        {
            foreach (var credential in credentials.Values)
            {
                credential.Dispose();
            }
        }
    }

    [Fact]
    public void PrometheusPresentsTheSilosReadOnlyMetricsTokenNeverTheOperatorToken()
    {
        var scrape = Yaml.Load(DeployFiles.Read("monitoring/prometheus.yaml"), "prometheus.yaml")["scrape_configs"].Items
            .Single(j => j["kubernetes_sd_configs"].Exists);
        string credentials = scrape["authorization"]["credentials_file"].Text;

        // Two Secrets, each a random token the README makes, mounted as the silos' two token files.
        MetricsSecret.ShouldNotBe(AccessSecret);
        foreach (var (secret, setting) in new[] { (AccessSecret, "Access__TokenFile"), (MetricsSecret, "Access__MetricsTokenFile") })
        {
            var command = Readme.SecretCommands(externalDatabase: false).Single(c => c.Name == secret);
            SecretFile.In(DeployFiles.Silos, DeployFiles.SiloContainer).ShouldContain(new SecretFile(secret, TokenKey, SiloEnvironment[setting]));
            command.Keys.ShouldBe([TokenKey]);
            command.Literals[TokenKey].ShouldContain("openssl rand");
        }
        // As a bearer token, from the metrics Secret copied into Prometheus' namespace: the one that opens /metrics only.
        (scrape["authorization"]["type"].TextOrNull ?? "Bearer").ShouldBe("Bearer");
        Path.GetFileName(credentials).ShouldBe(TokenKey);
        Path.GetFileName(Path.GetDirectoryName(credentials)).ShouldBe(MetricsSecret);
    }
}
