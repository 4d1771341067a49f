using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace UnrolledGan.ServiceDefaults;

/// <summary>
/// The cluster's mutual TLS (the "Tls" section): this node's certificate and key, and the CA that signed every
/// silo's and client's certificate. PEM files, from disk or a mounted Kubernetes Secret.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string SectionName = "Tls";

    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public string? CaFile { get; set; }

    public bool Configured => new[] { CertificateFile, KeyFile, CaFile }.Any(f => !string.IsNullOrWhiteSpace(f));

    public static ClusterTlsOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ClusterTlsOptions>() ?? new ClusterTlsOptions();
}

/// <summary>
/// This node's credentials in the cluster. A peer belongs to the cluster when its certificate chains to the cluster's
/// CA; names are not checked, since silos are reached at addresses given out at run time (pod IPs).
/// </summary>
public sealed class ClusterCredentials : IDisposable
{
    private ClusterCredentials(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The credentials the options name, or null when TLS is not configured; a partial or unreadable setting throws.</summary>
    public static ClusterCredentials? Load(ClusterTlsOptions options)
    {
        if (!options.Configured)
        {
            return null;
        }
        string certificate = Require(options.CertificateFile, nameof(options.CertificateFile));
        string key = Require(options.KeyFile, nameof(options.KeyFile));
        string ca = Require(options.CaFile, nameof(options.CaFile));
        try
        {
            return new ClusterCredentials(X509Certificate2.CreateFromPemFile(certificate, key), X509CertificateLoader.LoadCertificateFromFile(ca));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new TlsConfigurationException($"{ClusterTlsOptions.SectionName}: cannot load the certificate, key or CA: {e.Message}");
        }
    }

    /// <summary>True when the peer's certificate chains to the cluster's CA.</summary>
    public bool Accepts(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var ours = new X509Chain();
        ours.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        ours.ChainPolicy.CustomTrustStore.Add(Authority);
        ours.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return ours.Build(certificate);
    }

    /// <summary>Mutual TLS on every connection: both ends present a certificate, and each accepts only the cluster's.</summary>
    public void Configure(TlsOptions tls)
    {
        tls.LocalCertificate = Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = Accepts;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }

    private static string Require(string? file, string setting) => string.IsNullOrWhiteSpace(file)
        ? throw new TlsConfigurationException(
            $"{ClusterTlsOptions.SectionName}:{setting} is missing: give CertificateFile, KeyFile and CaFile together (make them with `UnrolledGan.Silo certs`)")
        : File.Exists(file)
            ? file
            : throw new TlsConfigurationException($"{ClusterTlsOptions.SectionName}:{setting}: '{file}' does not exist");
}

/// <summary>The TLS settings are incomplete or unreadable; the message names the setting.</summary>
public sealed class TlsConfigurationException(string message) : Exception(message);
