using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UnrolledGan.Web;

/// <summary>
/// Reads who is asking: a token as a bearer token (Prometheus' credentials_file, scripts, `open`) or as the password
/// of HTTP basic authentication (a browser asks for it), or a session cookie from a login link. The operator token and
/// a session carry the operator role, the metrics token the metrics role. A wrong token is refused outright.
/// </summary>
internal sealed class AccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, WebAccess access, WebLogins logins)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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
        string? role = presented is not null ? access.RoleOf(presented)
            : logins.IsSession(Request.Cookies[WebLogins.CookieName(Context.Connection.LocalPort)]) ? WebAccess.OperatorRole
            : null;
        if (role is null)
        {
            return Task.FromResult(presented is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail("wrong access token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"UnrolledGan\", charset=\"UTF-8\"");
        Response.Headers.Append("WWW-Authenticate", "Bearer realm=\"UnrolledGan\"");
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("This silo's web side needs its operator token. `UnrolledGan.SweepClient open <sweep>` prints a login link; " +
            "or give the token as the password (any user name): Access:Token, or the file the silo named as it started.\n", Context.RequestAborted);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("This token opens /metrics only; the rest needs the operator token.\n", Context.RequestAborted);
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
