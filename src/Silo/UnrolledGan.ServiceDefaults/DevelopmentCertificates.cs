using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UnrolledGan.ServiceDefaults;

/// <summary>
/// A development CA and one certificate per silo or client, as PEM files: ca.crt (give it to every node), ca.key
/// (keep it to issue more), and name.crt with name.key for each node. ECDSA P-256, valid for a year; for a real
/// cluster, issue them from your own CA (cert-manager, step-ca, ...) instead.
/// </summary>
public static class DevelopmentCertificates
{
    public static IReadOnlyList<string> Create(string folder, IEnumerable<string> names)
    {
        Directory.CreateDirectory(folder);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddYears(1);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=UnrolledGan development CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);
        var written = new List<string>
        {
            Write(folder, "ca.crt", ca.ExportCertificatePem()),
            Write(folder, "ca.key", caKey.ExportPkcs8PrivateKeyPem()),
        };
        foreach (string name in names)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            // Every node is both: a silo dials other silos, and accepts their and clients' connections.
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            var alternativeNames = new SubjectAlternativeNameBuilder();
            alternativeNames.AddDnsName(name);
            request.CertificateExtensions.Add(alternativeNames.Build());
            byte[] serial = RandomNumberGenerator.GetBytes(16);
            using var certificate = request.Create(ca, notBefore, notAfter, serial);
            written.Add(Write(folder, $"{name}.crt", certificate.ExportCertificatePem()));
            written.Add(Write(folder, $"{name}.key", key.ExportPkcs8PrivateKeyPem()));
        }
        return written;
    }

    private static string Write(string folder, string name, string pem)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, pem + "\n");
        if (name.EndsWith(".key", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }
}
