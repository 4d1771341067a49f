using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace UnrolledGan.Hosting;

/// <summary>How silos find each other and where a sweep's state lives.</summary>
public enum ClusterProvider
{
    /// <summary>
    /// One machine, no server to install: silos on loopback, instance 0 holding the membership (Orleans' development
    /// clustering), sweep state in JSON files under the results folder. The default, and what `run` starts.
    /// </summary>
    Embedded,

    /// <summary>Any number of hosts, every silo equal: membership, sweep state and results in PostgreSQL.</summary>
    Postgres,
}

/// <summary>How this silo joins its cluster (the "Cluster" section).</summary>
public sealed class ClusteringOptions : IValidatableObject
{
    public const string SectionName = "Cluster";

    public ClusterProvider Provider { get; set; } = ClusterProvider.Embedded;

    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public string ClusterId { get; set; } = "unrolledgan";

    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public string ServiceId { get; set; } = "unrolledgan";

    /// <summary>Several silos on one machine: instance n listens on SiloPort + n and GatewayPort + n.</summary>
    [Range(0, 100)]
    public int Instance { get; set; }

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address this silo listens on and other silos and clients reach it at (POD_IP on Kubernetes). Embedded:
    /// loopback, and nothing else. Postgres: when empty, loopback unless the silo may listen beyond it (it has the
    /// cluster's TLS certificates, or Cluster:Insecure=true); then this host's first non-loopback IPv4 address.
    /// </summary>
    public string? Address { get; set; }

    public string? SiloName { get; set; }

    /// <summary>
    /// Allows a silo beyond loopback without TLS (Tls:*). Anyone who reaches its ports can then join or use the
    /// cluster; the silo says so in a warning at every start.
    /// </summary>
    public bool Insecure { get; set; }

    /// <summary>Stop this silo when that process ends: `run` starts its embedded silo this way, so none outlives it.</summary>
    [Range(1, int.MaxValue)]
    public int? ParentProcessId { get; set; }

    public int InstanceSiloPort => SiloPort + Instance;

    public int InstanceGatewayPort => GatewayPort + Instance;

    /// <summary>The "Cluster" section, read before the host is built: which providers to register depends on it.</summary>
    public static ClusteringOptions From(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(SectionName).Get<ClusteringOptions>() ?? new ClusteringOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(SectionName, typeof(ClusteringOptions),
                [$"{SectionName}: {e.InnerException?.Message ?? e.Message} (Provider is embedded or postgres)"]);
        }
    }

    /// <summary>
    /// The address to listen on and advertise, as configured or found; throws when it cannot be used. Without an
    /// address, a silo stays on loopback unless <paramref name="tls"/> (it has the cluster's certificates) or Insecure
    /// lets it listen beyond: a guessed public address without TLS could only be refused (SiloPreflight), and every
    /// silo on one machine then finds the others on loopback.
    /// </summary>
    public IPAddress ResolveAddress(bool tls)
    {
        if (Provider == ClusterProvider.Embedded)
        {
            return IPAddress.Loopback;
        }
        if (!string.IsNullOrWhiteSpace(Address))
        {
            return IPAddress.Parse(Address);
        }
        if (!tls && !Insecure)
        {
            return IPAddress.Loopback;
        }
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException("this host has no non-loopback IPv4 address; set Cluster:Address");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (Address is { Length: > 0 } address)
        {
            if (!IPAddress.TryParse(address, out var parsed))
            {
                yield return new ValidationResult($"'{address}' is not an IP address", [nameof(Address)]);
            }
            else if (Provider == ClusterProvider.Embedded && !IPAddress.IsLoopback(parsed))
            {
                yield return new ValidationResult(
                    $"{address} is not loopback: the embedded provider serves one machine only; use Cluster:Provider=postgres across hosts",
                    [nameof(Address)]);
            }
        }
    }
}
