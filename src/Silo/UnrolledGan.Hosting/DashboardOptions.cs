using System.ComponentModel.DataAnnotations;

namespace UnrolledGan.Hosting;

/// <summary>Where the Orleans Dashboard listens. It has no authentication, so it binds to loopback by default.</summary>
public sealed class SiloDashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Address to listen on: 127.0.0.1 (default), or 0.0.0.0 behind your own access control.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port, plus the silo's Cluster:Instance; 0 turns the dashboard off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;
}
