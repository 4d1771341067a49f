using System.Security.Cryptography;

namespace UnrolledGan.Web;

/// <summary>The page's HTML, scripts and styles, embedded in this assembly (wwwroot/) and read once.</summary>
internal sealed class PageAssets
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    private readonly Dictionary<string, Asset> _assets;

    public PageAssets()
    {
        var assembly = typeof(PageAssets).Assembly;
        const string Prefix = "wwwroot/";
        _assets = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                byte[] bytes = copy.ToArray();
                return new Asset(bytes, ContentTypes.GetValueOrDefault(Path.GetExtension(n), "application/octet-stream"),
                    $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
            });
    }

    public Asset? Find(string name) => _assets.GetValueOrDefault(name);

    public sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
