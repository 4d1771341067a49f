using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Hosting.Database;
using UnrolledGan.Web;

namespace UnrolledGan.Silo;

/// <summary>
/// Once the silo has joined, says what it is: its endpoints, web and metrics URLs, worker slots, and the cluster it
/// joined. The last line, "silo ready", printed once everything has started, is what `run` waits for when it starts
/// its embedded silo.
/// </summary>
internal sealed class SiloReport(
    IOptions<ClusteringOptions> cluster, IConfiguration configuration, ILocalSiloDetails silo, IClusterMembershipService membership,
    WorkerSlots slots, IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<SiloReport> logger) : IHostedService
{
    public const string ReadyLine = "silo ready";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Once everything has started, the web port included, so that "ready" means ready.
        lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    private void Report()
    {
        var options = cluster.Value;
        int active = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        string provider = options.Provider == ClusterProvider.Postgres
            ? $"postgres, database {ClusterDatabase.Describe(ClusterDatabase.ConnectionString(configuration))}"
            : "embedded: loopback only, state in files";
        string metrics = configuration.MetricsUrl() ?? "off (Telemetry:PrometheusPort=0)";
        string? web = configuration.DashboardUrl();
        bool tls = services.GetService(typeof(ClusterCredentials)) is not null;
        string security = tls ? "mutual TLS with the cluster's CA"
            : options.Insecure ? "NO TLS (Cluster:Insecure=true)"
            : options.Provider == ClusterProvider.Postgres ? "none needed (loopback only: other hosts need Cluster:Address and Tls:*)"
            : "none needed (loopback only)";
        var lines = new[]
        {
            $"silo {silo.Name} in cluster '{options.ClusterId}' ({provider})",
            $"  silo endpoint  {silo.SiloAddress.Endpoint}",
            $"  gateway        {silo.GatewayAddress?.Endpoint.ToString() ?? "none"}",
            $"  dashboard      {(web is null ? "off (Dashboard:Port=0)" : web + "/dashboard")}",
            // The pages share the dashboard's port; the metrics port serves /metrics alone.
            $"  sweep pages    {(web is null ? "off (Dashboard:Port=0)" : web + SweepPageEndpoints.BasePath + "/")}",
            $"  metrics        {metrics}",
            $"  web access     {configuration.AccessSummary()}",
            $"  worker slots   {slots.Capacity} {slots.Kind}",
            $"  connections    {security}",
            $"  cluster        {(active <= 1 ? "started (the only active silo)" : $"joined ({active} active silos)")}",
            ReadyLine,
        };
        foreach (string line in lines)
        {
            Console.WriteLine(line);
        }
        if (options.Insecure && !tls)
        {
            logger.LogWarning("Cluster:Insecure=true: this silo's ports {Endpoint} and {Gateway} take connections without TLS; anyone who reaches them can join the cluster or use it",
                silo.SiloAddress.Endpoint, silo.GatewayAddress?.Endpoint);
        }
        logger.LogInformation("Silo {Silo} ready: {Endpoint}, gateway {Gateway}, {Slots} {Kind} slot(s), {Active} active silo(s)",
            silo.Name, silo.SiloAddress.Endpoint, silo.GatewayAddress?.Endpoint, slots.Capacity, slots.Kind, active);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
