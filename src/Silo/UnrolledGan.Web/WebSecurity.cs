using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;

namespace UnrolledGan.Web;

/// <summary>The local port an endpoint is served on; an endpoint without one is served nowhere.</summary>
public sealed record LocalPort(int Port);

/// <summary>
/// The web side's guards, in the order a request meets them:
/// 1. host filtering: the Host header must name this silo (loopback names, its configured hosts), so a page whose name
///    an attacker re-pointed at 127.0.0.1 (DNS rebinding) gets 400;
/// 2. the port: an endpoint answers only on the local port its connection arrived on (the socket's, not the Host
///    header's), so the metrics port serves /metrics and nothing else;
/// 3. who is asking (<see cref="AccessTokenHandler"/>): everything needs the operator, /metrics the metrics token or
///    the operator (or nothing, on loopback with no token configured);
/// 4. a request that changes something must come from this origin: a foreign Origin header gets 403.
/// </summary>
public static class WebSecurity
{
    public const string OperatorPolicy = "operator";
    public const string MetricsPolicy = "metrics";

    /// <summary>Always allowed: the names of loopback.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static IServiceCollection AddWebSecurity(this IServiceCollection services, WebAccess access, IEnumerable<string> allowedHosts)
    {
        services.AddSingleton(access);
        services.AddSingleton<WebLogins>();
        services.Configure<HostFilteringOptions>(o =>
        {
            o.AllowedHosts = LoopbackHosts.Concat(allowedHosts).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            o.AllowEmptyHosts = false;
        });
        services.AddAuthentication(AccessTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenHandler>(AccessTokenHandler.SchemeName, _ => { });
        services.AddAuthorization(o =>
        {
            o.AddPolicy(OperatorPolicy, p => p.RequireRole(WebAccess.OperatorRole));
            o.AddPolicy(MetricsPolicy, p => p.RequireRole(WebAccess.OperatorRole, WebAccess.MetricsRole));
            // Every endpoint, the Orleans Dashboard's and any mapped later included, needs the operator unless it says otherwise.
            o.FallbackPolicy = o.GetPolicy(OperatorPolicy);
        });
        return services;
    }

    /// <summary>Guards 2 to 4 (host filtering runs before everything, as ASP.NET Core's startup filter puts it).</summary>
    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        app.UseRouting();
        app.Use(OnItsPortOnly);
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(SameOriginActions);
        return app;
    }

    /// <summary>Serves the endpoint only on connections that arrived on this local port.</summary>
    public static TBuilder OnPort<TBuilder>(this TBuilder builder, int port) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LocalPort(port));

    private static Task OnItsPortOnly(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<LocalPort>()?.Port != context.Connection.LocalPort)
        {
            context.SetEndpoint(null);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return next(context);
    }

    private static Task SameOriginActions(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.Origin.Count == 0)
        {
            return next(context);
        }
        string origin = request.Headers.Origin.ToString();
        if (request.Headers.Origin.Count == 1 && Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme == request.Scheme
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync($"Origin: '{origin}' is not this page's; requests from other sites may not act here.\n", context.RequestAborted);
    }
}
