using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Web;

/// <summary>
/// Who may use the silo's web side (the "Access" section). The operator token opens everything there: the sweep pages,
/// their API and files, the actions (cancel), the Orleans Dashboard and /metrics. The metrics token, read-only, opens
/// /metrics and nothing else. Without Access:Token the silo makes an operator token at each start and writes it to a
/// 0600 file for its own user (OperatorTokenFile); there is no way in without one, loopback included.
/// </summary>
/// <param name="OperatorToken">Access:Token or the first line of Access:TokenFile, else the silo's own.</param>
/// <param name="MetricsToken">Access:MetricsToken or the first line of Access:MetricsTokenFile.</param>
/// <param name="MetricsNeedAToken">False only for /metrics on loopback with no token configured at all (a local Prometheus).</param>
public sealed record WebAccess(string OperatorToken, string? MetricsToken, bool MetricsNeedAToken)
{
    public const string SectionName = "Access";
    public const string OperatorRole = "operator";
    public const string MetricsRole = "metrics";

    /// <summary>Anything shorter is guessable over a few days of requests; `openssl rand -hex 32` gives 64 characters.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>The role a presented token carries, compared in constant time; null for any other token.</summary>
    public string? RoleOf(string presented)
    {
        if (Same(presented, OperatorToken))
        {
            return OperatorRole;
        }
        return MetricsToken is not null && Same(presented, MetricsToken) ? MetricsRole : null;
    }

    /// <summary>
    /// A secret given as Access:{key} or as the first line of the file Access:{key}File (a mounted Secret); null when
    /// neither is set. An unreadable file or a short token is bad input, named by its setting.
    /// </summary>
    public static string? ConfiguredSecret(IConfiguration configuration, string key)
    {
        string setting = $"{SectionName}:{key}", fileSetting = $"{SectionName}:{key}File";
        string? secret = configuration[setting] is { Length: > 0 } given ? given : null;
        if (secret is null && configuration[fileSetting] is { Length: > 0 } file)
        {
            secret = File.Exists(file) && File.ReadLines(file).FirstOrDefault()?.Trim() is { Length: > 0 } read
                ? read
                : throw Invalid($"{fileSetting}: '{file}' does not exist or is empty");
            setting = fileSetting;
        }
        return secret is null || secret.Length >= MinimumTokenLength
            ? secret
            : throw Invalid($"{setting}: the token has {secret.Length} characters; give at least {MinimumTokenLength} (e.g. `openssl rand -hex 32`)");
    }

    private static OptionsValidationException Invalid(string message) => new(SectionName, typeof(WebAccess), [message]);

    private static bool Same(string presented, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(token));
}
