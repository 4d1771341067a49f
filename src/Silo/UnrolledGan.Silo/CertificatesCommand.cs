using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Silo;

/// <summary>`UnrolledGan.Silo certs &lt;folder&gt; [name ...]`: a development CA and a certificate per silo or client (default: silo, client).</summary>
internal static class CertificatesCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args.Skip(1).Any(n => !System.Text.RegularExpressions.Regex.IsMatch(n, @"\A[A-Za-z0-9][A-Za-z0-9.-]{0,62}\z")))
        {
            Console.Error.WriteLine("error: usage: UnrolledGan.Silo certs <folder> [name ...]   (names: letters, digits, '.', '-')");
            return ExitCodes.BadInput;
        }
        string folder = args[0];
        var names = args.Skip(1).ToArray();
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "ca.*").Any())
        {
            Console.Error.WriteLine($"error: {folder} already holds a CA; choose an empty folder (a new CA would not match the certificates already given out)");
            return ExitCodes.BadInput;
        }
        var written = DevelopmentCertificates.Create(folder, names.Length > 0 ? names : ["silo", "client"]);
        Console.WriteLine($"wrote {string.Join(", ", written.Select(f => Path.GetFileName(f)))} to {Path.GetFullPath(folder)}");
        Console.WriteLine("each node: Tls__CertificateFile=<name>.crt Tls__KeyFile=<name>.key Tls__CaFile=ca.crt; keep ca.key to yourself");
        return ExitCodes.Success;
    }
}
