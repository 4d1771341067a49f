using System.Net;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// Who gets in: with TLS, only silos and clients holding certificates from the cluster's CA; the dashboard and
/// /metrics only with their tokens (WebAuthTests has the web side's attacks); and nothing listens beyond loopback unguarded.
/// </summary>
public sealed class TrustTests
{
    private static readonly TimeSpan Start = TimeSpan.FromMinutes(2);

    private static string Folder() => Directory.CreateTempSubdirectory("unrolledgan-trust-").FullName;

    private static Dictionary<string, string> Tls(string folder, string name) => new()
    {
        ["Tls__CertificateFile"] = Path.Combine(folder, $"{name}.crt"),
        ["Tls__KeyFile"] = Path.Combine(folder, $"{name}.key"),
        ["Tls__CaFile"] = Path.Combine(folder, "ca.crt"),
    };

    private static Dictionary<string, string> With(Dictionary<string, string> settings, Dictionary<string, string> more) =>
        settings.Concat(more).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public async Task OnlyHoldersOfTheClusterCasCertificatesCanConnectOrJoin()
    {
        string work = Folder();
        string cluster = Path.Combine(work, "cluster"), other = Path.Combine(work, "other");
        DevelopmentCertificates.Create(cluster, ["silo", "client"]);
        DevelopmentCertificates.Create(other, ["intruder"]);
        var settings = SiloProcess.Isolated(work);
        await using var silo = SiloProcess.Start(With(settings, Tls(cluster, "silo")));
        await silo.WaitUntilReadyAsync(Start);
        silo.Output.ShouldContain("connections    mutual TLS with the cluster's CA");
        string gateway = $"127.0.0.1:{settings["Cluster__GatewayPort"]}";

        var member = await SiloProcess.RunClientAsync(Tls(cluster, "client"), Start, "list", "--gateway", gateway);
        var plain = await SiloProcess.RunClientAsync(new Dictionary<string, string>(), Start, "list", "--gateway", gateway);
        var stranger = await SiloProcess.RunClientAsync(Tls(other, "intruder"), Start, "list", "--gateway", gateway);

        member.ExitCode.ShouldBe(0, member.Error);
        plain.ExitCode.ShouldBe(1);
        plain.Error.ShouldContain($"cannot reach a cluster at {gateway}");
        stranger.ExitCode.ShouldBe(1);
        stranger.Error.ShouldContain($"cannot reach a cluster at {gateway}");

        // A silo with another CA's certificate cannot join: instance 1 dials instance 0, which refuses it.
        var intruder = With(SiloProcess.Isolated(Path.Combine(work, "intruder")), Tls(other, "intruder"));
        (intruder["Cluster__SiloPort"], intruder["Cluster__GatewayPort"]) = (settings["Cluster__SiloPort"], settings["Cluster__GatewayPort"]);
        intruder["Cluster__Instance"] = "1";
        intruder["Cluster__Membership__MaxJoinAttemptTime"] = "00:00:15";
        var joined = await SiloProcess.RunAsync(intruder, Start);
        joined.ExitCode.ShouldNotBe(0);
        joined.Output.ShouldNotContain("silo ready");
    }

    [Fact]
    public async Task ASiloBeyondLoopbackWithoutTlsRefusesToStartUnlessToldItIsInsecure()
    {
        var settings = SiloProcess.Isolated(Folder());
        settings["Cluster__Provider"] = "postgres";
        settings["Cluster__Address"] = "192.0.2.10";
        settings["ConnectionStrings__Cluster"] = "Host=127.0.0.1;Port=1;Username=nobody";

        var refused = await SiloProcess.RunAsync(settings, Start);

        refused.ExitCode.ShouldBe(2);
        refused.Error.Trim().ShouldStartWith("error: Cluster:Address 192.0.2.10 is not loopback and the cluster has no TLS");
        // It says what to give for either intent: this machine only, or other hosts.
        refused.Error.ShouldContain("--Cluster:Address=127.0.0.1");
        refused.Error.ShouldContain("Tls:CertificateFile");
        refused.Error.ShouldContain("--Cluster:Insecure=true");
    }

    [Fact]
    public async Task TheDashboardAndMetricsAnswer401WithoutTheAccessTokenAndServeItsHolder()
    {
        var settings = SiloProcess.Isolated(Folder());
        int dashboard = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        settings["Dashboard__Port"] = dashboard.ToString();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        settings["Access__Token"] = "s3cret-token-0123456789";
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Start);
        using var http = new HttpClient();
        var cancel = TestContext.Current.CancellationToken;

        foreach (string url in new[] { $"http://127.0.0.1:{dashboard}/dashboard/", $"http://127.0.0.1:{metrics}/metrics" })
        {
            (await http.GetAsync(url, cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, url);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer wrong" } } };
            (await http.SendAsync(wrong, cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, url);
            using var bearer = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer s3cret-token-0123456789" } } };
            (await http.SendAsync(bearer, cancel)).StatusCode.ShouldBe(HttpStatusCode.OK, url);
        }
        string basic = Convert.ToBase64String("any:s3cret-token-0123456789"u8.ToArray());
        using var browser = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{metrics}/metrics") { Headers = { { "Authorization", $"Basic {basic}" } } };
        var scrape = await http.SendAsync(browser, cancel);
        scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await scrape.Content.ReadAsStringAsync(cancel)).ShouldContain("unrolledgan_worker_slots");
    }

    [Theory]
    [InlineData("Dashboard__Host=0.0.0.0",
        "error: the dashboard and sweep pages listen beyond loopback (Dashboard:Host 0.0.0.0) without an operator token: set Access:Token or Access:TokenFile")]
    // The operator's token is not Prometheus' to hold: beyond loopback /metrics needs a read-only token of its own.
    [InlineData("Telemetry__PrometheusHost=0.0.0.0 Access__Token=operator-token-0123456789",
        "error: /metrics listens beyond loopback (Telemetry:PrometheusHost 0.0.0.0) without a metrics token: set Access:MetricsToken or Access:MetricsTokenFile")]
    [InlineData("Access__Token=operator-token-0123456789 Access__MetricsToken=operator-token-0123456789",
        "error: Access:MetricsToken is the operator's Access:Token")]
    // Every address, so no name the Host header could be checked against.
    [InlineData("Dashboard__Host=0.0.0.0 Access__Token=operator-token-0123456789",
        "error: Dashboard:Host 0.0.0.0 listens on every address: name the hosts and addresses browsers and Prometheus use for this silo in Access:AllowedHosts")]
    [InlineData("Access__Token=short", "error: Access:Token: the token has 5 characters; give at least 16")]
    [InlineData("Access__MetricsTokenFile=/nonexistent/metrics-token", "error: Access:MetricsTokenFile: '/nonexistent/metrics-token' does not exist or is empty")]
    public async Task AWebSideThatWouldBeOpenOrWronglyGuardedRefusesToStartNamingTheSetting(string given, string error)
    {
        var settings = SiloProcess.Isolated(Folder());
        settings["Dashboard__Port"] = SiloProcess.FreePort().ToString();
        settings["Telemetry__PrometheusPort"] = SiloProcess.FreePort().ToString();
        foreach (string pair in given.Split(' '))
        {
            settings[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        }

        var refused = await SiloProcess.RunAsync(settings, Start);

        refused.ExitCode.ShouldBe(2);
        refused.Error.Trim().ShouldStartWith(error);
        refused.Error.Trim().Split('\n').Length.ShouldBe(1, refused.Error);
    }
}
