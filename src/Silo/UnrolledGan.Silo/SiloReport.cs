using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Silo;

/// <summary>
/// Once the silo has joined, says what it is: its endpoints, web and metrics URLs, worker slots, and the cluster it
/// joined. The last line, "silo ready", is what `run` waits for when it starts its embedded silo.
/// </summary>
internal sealed class SiloReport(
    IOptions<ClusteringOptions> cluster, IConfiguration configuration, ILocalSiloDetails silo, IClusterMembershipService membership,
    WorkerSlots slots, ILogger<SiloReport> logger) : IHostedService
{
    public const string ReadyLine = "silo ready";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = cluster.Value;
        var telemetry = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new();
        int active = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        string provider = options.Provider == ClusterProvider.Postgres
            ? $"postgres, database {ClusterDatabase.Describe(ClusterDatabase.ConnectionString(configuration))}"
            : "embedded: loopback only, state in files";
        string metrics = telemetry.PrometheusPort > 0
            ? $"http://{telemetry.PrometheusHost}:{telemetry.PrometheusPort + options.Instance}/metrics"
            : "off (Telemetry:PrometheusPort=0)";
        var lines = new[]
        {
            $"silo {silo.Name} in cluster '{options.ClusterId}' ({provider})",
            $"  silo endpoint  {silo.SiloAddress.Endpoint}",
            $"  gateway        {silo.GatewayAddress?.Endpoint.ToString() ?? "none"}",
            $"  dashboard      {(configuration.DashboardUrl() is { } url ? url + "/dashboard" : "off (Dashboard:Port=0)")}",
            $"  metrics        {metrics}",
            $"  worker slots   {slots.Capacity} {slots.Kind}",
            $"  cluster        {(active <= 1 ? "started (the only active silo)" : $"joined ({active} active silos)")}",
            ReadyLine,
        };
        foreach (string line in lines)
        {
            Console.WriteLine(line);
        }
        logger.LogInformation("Silo {Silo} ready: {Endpoint}, gateway {Gateway}, {Slots} {Kind} slot(s), {Active} active silo(s)",
            silo.Name, silo.SiloAddress.Endpoint, silo.GatewayAddress?.Endpoint, slots.Capacity, slots.Kind, active);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
