using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using UnrolledGan.Grains;

namespace UnrolledGan.Web;

/// <summary>
/// How a browser gets in without typing the token. A holder of the operator token (the sweep client's `open`) asks for
/// a login code bound to one page; the link with that code, followed once within <see cref="CodeLifetime"/>, sets a
/// session cookie and lands on the page. The cookie is signed with a key this process made, so it ends with the silo
/// or after <see cref="SessionLifetime"/>. It is HttpOnly and SameSite=Lax: a page elsewhere may link to a page here
/// (a read it cannot see) but its requests carry no cookie for an action.
/// </summary>
public sealed class WebLogins(TimeProvider time)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    /// <summary>Codes not yet used; an operator asking for more than this drops the oldest.</summary>
    private const int MaxOutstandingCodes = 100;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (string Page, DateTimeOffset ExpiresAt)> _codes = new(StringComparer.Ordinal);

    public WebLogins()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Cookies are not told apart by port, so each web port has its own name: two silos on one host keep both.</summary>
    public static string CookieName(int port) => $"unrolledgan-session-{port}";

    /// <summary>The pages a login may land on: the list of sweeps, a sweep's page, the Orleans Dashboard.</summary>
    public static bool IsLandingPage(string? page) => page switch
    {
        $"{SweepPageEndpoints.BasePath}/" or "/dashboard/" => true,
        not null when page.StartsWith($"{SweepPageEndpoints.BasePath}/", StringComparison.Ordinal) =>
            SweepNames.IsSweepName(page[(SweepPageEndpoints.BasePath.Length + 1)..]),
        _ => false,
    };

    public (string Code, DateTimeOffset ExpiresAt) Issue(string page)
    {
        if (!IsLandingPage(page))
        {
            throw new ArgumentException($"'{page}' is not a page a login may land on", nameof(page));
        }
        var now = time.GetUtcNow();
        foreach (var (key, issued) in _codes)
        {
            if (issued.ExpiresAt <= now)
            {
                _codes.TryRemove(key, out _);
            }
        }
        while (_codes.Count >= MaxOutstandingCodes)
        {
            _codes.TryRemove(_codes.MinBy(c => c.Value.ExpiresAt).Key, out _);
        }
        string code = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expiresAt = now + CodeLifetime;
        _codes[code] = (page, expiresAt);
        return (code, expiresAt);
    }

    /// <summary>The page the code was issued for, once: null for an unknown, used or expired code.</summary>
    public string? Redeem(string? code) =>
        code is not null && _codes.TryRemove(code, out var issued) && issued.ExpiresAt > time.GetUtcNow() ? issued.Page : null;

    /// <summary>A new session cookie's value: when it expires, and this process's signature over that.</summary>
    public (string Value, DateTimeOffset ExpiresAt) NewSession()
    {
        var expiresAt = time.GetUtcNow() + SessionLifetime;
        string expires = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return ($"{expires}.{Base64Url(Sign(expires))}", expiresAt);
    }

    public bool IsSession(string? value)
    {
        int dot = value?.IndexOf('.') ?? -1;
        if (dot <= 0 || !long.TryParse(value![..dot], NumberStyles.None, CultureInfo.InvariantCulture, out long expires)
            || expires <= time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }
        byte[] expected = Encoding.ASCII.GetBytes(Base64Url(Sign(value[..dot])));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value[(dot + 1)..]), expected);
    }

    private byte[] Sign(string expires) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"session|{expires}"));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
