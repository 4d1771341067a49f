using System.ComponentModel.DataAnnotations;

namespace UnrolledGan.Hosting;

/// <summary>How this silo joins its cluster. The default is one silo on localhost; see deploy/ for Kubernetes.</summary>
public sealed class ClusteringOptions
{
    public const string SectionName = "Cluster";

    [Required]
    public string ClusterId { get; set; } = "unrolledgan";

    [Required]
    public string ServiceId { get; set; } = "unrolledgan";

    /// <summary>
    /// Several silos on one machine: instance n listens on SiloPort + n and GatewayPort + n and joins instance 0.
    /// </summary>
    [Range(0, 100)]
    public int Instance { get; set; }

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>host:port of the primary silo on another machine (development clustering); empty on localhost.</summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>The address other silos reach this one at (POD_IP in Kubernetes); empty on localhost.</summary>
    public string? AdvertisedAddress { get; set; }

    public string? SiloName { get; set; }

    /// <summary>The "Cluster" section, read before the host is built (clustering, ports and telemetry depend on it).</summary>
    public static ClusteringOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        Microsoft.Extensions.Configuration.ConfigurationBinder.Get<ClusteringOptions>(configuration.GetSection(SectionName)) ?? new ClusteringOptions();

    public int InstanceSiloPort => SiloPort + Instance;

    public int InstanceGatewayPort => GatewayPort + Instance;
}

/// <summary>Where telemetry goes.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OTLP endpoint (e.g. http://otel-collector:4317); empty exports nothing over OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Port of the Prometheus scrape endpoint (/metrics), plus the silo's instance number; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int PrometheusPort { get; set; } = 9464;
}
