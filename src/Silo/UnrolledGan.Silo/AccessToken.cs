using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Silo;

/// <summary>
/// The secret that guards the silo's web port and /metrics (the "Access" section): Access:Token, or the first line of
/// the file Access:TokenFile (a mounted Secret). Required whenever either listens beyond loopback.
/// </summary>
internal static class AccessToken
{
    public const string SectionName = "Access";

    public static string? From(IConfiguration configuration)
    {
        if (configuration[$"{SectionName}:Token"] is { Length: > 0 } token)
        {
            return token;
        }
        if (configuration[$"{SectionName}:TokenFile"] is { Length: > 0 } file)
        {
            return File.Exists(file) && File.ReadLines(file).FirstOrDefault()?.Trim() is { Length: > 0 } read
                ? read
                : throw new OptionsValidationException(SectionName, typeof(string), [$"{SectionName}:TokenFile: '{file}' does not exist or is empty"]);
        }
        return null;
    }
}

/// <summary>
/// Accepts the access token as a bearer token (Prometheus' bearer_token_file, scripts) or as the password of HTTP basic
/// authentication (browsers ask for it), compared in constant time. Anything else gets 401 with both challenges.
/// </summary>
internal sealed class AccessTokenHandler(IOptionsMonitor<AccessTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AccessTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        string? presented = header switch
        {
            not null when header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) => header["Bearer ".Length..].Trim(),
            not null when header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) => Password(header["Basic ".Length..].Trim()),
            _ => null,
        };
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Options.Token)))
        {
            return Task.FromResult(AuthenticateResult.Fail("wrong access token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"UnrolledGan\", charset=\"UTF-8\"");
        Response.Headers.Append("WWW-Authenticate", "Bearer realm=\"UnrolledGan\"");
        return Task.CompletedTask;
    }

    private static string? Password(string encoded)
    {
        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            int colon = pair.IndexOf(':');
            return colon >= 0 ? pair[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

internal sealed class AccessTokenOptions : AuthenticationSchemeOptions
{
    public string Token { get; set; } = "";
}
