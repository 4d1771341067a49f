using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Web;

namespace UnrolledGan.Silo;

/// <summary>
/// The silo's HTTP side: the Orleans Dashboard and the sweep pages on Dashboard:Host:Port, Prometheus' /metrics on
/// Telemetry:PrometheusHost:PrometheusPort (each plus Cluster:Instance; port 0 turns it off), each endpoint answering
/// only on its own port. Both listen on loopback unless configured otherwise. The pages, their actions and the
/// dashboard always need the operator token (WebAccess); /metrics the metrics token. With both off the silo serves no
/// HTTP at all.
/// </summary>
internal static class SiloWeb
{
    public static SiloDashboardOptions DashboardOptions(this IConfiguration configuration) =>
        configuration.GetSection(SiloDashboardOptions.SectionName).Get<SiloDashboardOptions>() ?? new();

    public static TelemetryOptions TelemetryOptions(this IConfiguration configuration) =>
        configuration.GetSection(ServiceDefaults.TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new();

    /// <summary>The dashboard's base URL for this silo instance, or null when it is off.</summary>
    public static string? DashboardUrl(this IConfiguration configuration)
    {
        var dashboard = configuration.DashboardOptions();
        return dashboard.Port > 0 ? $"http://{dashboard.Host}:{dashboard.Port + ClusteringOptions.From(configuration).Instance}" : null;
    }

    /// <summary>The /metrics URL for this silo instance, or null when it is off.</summary>
    public static string? MetricsUrl(this IConfiguration configuration)
    {
        var telemetry = configuration.TelemetryOptions();
        return telemetry.PrometheusPort > 0
            ? $"http://{telemetry.PrometheusHost}:{telemetry.PrometheusPort + ClusteringOptions.From(configuration).Instance}/metrics"
            : null;
    }

    /// <summary>What keeps the web side shut, or null when it is guarded: each problem names the setting that fixes it.</summary>
    public static string? AccessProblem(this IConfiguration configuration)
    {
        string? operatorToken = WebAccess.ConfiguredSecret(configuration, "Token");
        string? metricsToken = WebAccess.ConfiguredSecret(configuration, "MetricsToken");
        string dashboardHost = configuration.DashboardOptions().Host, metricsHost = configuration.TelemetryOptions().PrometheusHost;
        bool dashboard = configuration.DashboardUrl() is not null, metrics = configuration.MetricsUrl() is not null;
        if (operatorToken is not null && operatorToken == metricsToken)
        {
            return "Access:MetricsToken is the operator's Access:Token: give Prometheus a token of its own, which opens /metrics only";
        }
        if (dashboard && !IsLoopback(dashboardHost) && operatorToken is null)
        {
            return $"the dashboard and sweep pages listen beyond loopback (Dashboard:Host {dashboardHost}) without an operator token: " +
                "set Access:Token or Access:TokenFile, or bind them to 127.0.0.1";
        }
        if (metrics && !IsLoopback(metricsHost) && metricsToken is null)
        {
            return $"/metrics listens beyond loopback (Telemetry:PrometheusHost {metricsHost}) without a metrics token: set Access:MetricsToken " +
                "or Access:MetricsTokenFile (the read-only token Prometheus presents), or bind it to 127.0.0.1";
        }
        if (((dashboard && IsEveryAddress(dashboardHost)) || (metrics && IsEveryAddress(metricsHost))) && configuration.ExtraAllowedHosts().Count == 0)
        {
            return $"{(dashboard && IsEveryAddress(dashboardHost) ? $"Dashboard:Host {dashboardHost}" : $"Telemetry:PrometheusHost {metricsHost}")} " +
                "listens on every address: name the hosts and addresses browsers and Prometheus use for this silo in Access:AllowedHosts " +
                "(';'-separated; other Host headers get 400)";
        }
        if (dashboard && operatorToken is null && OperatorTokenFile.Folder is null)
        {
            return "no folder for the web port's operator token ($XDG_RUNTIME_DIR and $HOME are unset): set Access:Token or Access:TokenFile";
        }
        return null;
    }

    /// <summary>One line for the start-up report: where the operator token is, and what /metrics asks for.</summary>
    public static string AccessSummary(this IConfiguration configuration)
    {
        string operatorToken = configuration[$"{WebAccess.SectionName}:Token"] is { Length: > 0 } ? "operator token from Access:Token"
            : configuration[$"{WebAccess.SectionName}:TokenFile"] is { Length: > 0 } file ? $"operator token from {file}"
            : configuration.DashboardUrl() is { } web ? $"operator token in {OperatorTokenFile.PathFor(new Uri(web).Port)} (new at each start)"
            : "no operator token (no dashboard)";
        string metrics = configuration.MetricsUrl() is null ? "" : configuration.MetricsNeedAToken() ? "; /metrics needs a token" : "; /metrics open on loopback";
        return operatorToken + metrics;
    }

    public static WebApplicationBuilder AddSiloWeb(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<SiloDashboardOptions>().BindConfiguration(SiloDashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        string? dashboard = configuration.DashboardUrl();
        string[] urls = new[] { dashboard, configuration.MetricsUrl()?[..^"/metrics".Length] }.OfType<string>().ToArray();
        if (urls.Length > 0)
        {
            builder.WebHost.UseUrls(urls);
        }
        else
        {
            // Kestrel would otherwise fall back to localhost:5000; with nothing to serve there is no server.
            builder.Services.AddSingleton<IServer, NoServer>();
        }
        if (configuration.MetricsUrl() is not null)
        {
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusExporter());
        }
        string? configured = WebAccess.ConfiguredSecret(configuration, "Token");
        var access = new WebAccess(configured ?? OperatorTokenFile.NewToken(), WebAccess.ConfiguredSecret(configuration, "MetricsToken"),
            configuration.MetricsNeedAToken());
        builder.Services.AddWebSecurity(access, configuration.ExtraAllowedHosts()
            .Concat(new[] { configuration.DashboardOptions().Host, configuration.TelemetryOptions().PrometheusHost }.Where(h => !IsEveryAddress(h)))
            .Select(AsHostHeader));
        if (configured is null && dashboard is not null)
        {
            builder.Services.AddHostedService(services => new OperatorTokenWriter(new Uri(dashboard).Port, access.OperatorToken,
                services.GetRequiredService<ILogger<OperatorTokenWriter>>()));
        }
        return builder;
    }

    public static void AddDashboardWhenEnabled(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration.DashboardUrl() is not null)
        {
            silo.AddDashboard();
        }
    }

    public static WebApplication MapSiloWeb(this WebApplication app)
    {
        app.UseWebSecurity();
        if (app.Configuration.DashboardUrl() is { } dashboard)
        {
            int port = new Uri(dashboard).Port;
            app.MapOrleansDashboard("/dashboard").OnPort(port);
            app.MapSweepPages().OnPort(port);
        }
        if (app.Configuration.MetricsUrl() is { } metrics)
        {
            var scrape = app.MapPrometheusScrapingEndpoint("/metrics").OnPort(new Uri(metrics).Port);
            if (app.Services.GetRequiredService<WebAccess>().MetricsNeedAToken)
            {
                scrape.RequireAuthorization(WebSecurity.MetricsPolicy);
            }
            else
            {
                scrape.AllowAnonymous();
            }
        }
        return app;
    }

    /// <summary>
    /// /metrics is open only on loopback with no token configured at all, as a local Prometheus expects it; a
    /// configured token (either) or an address beyond loopback closes it to all but the metrics and operator tokens.
    /// </summary>
    private static bool MetricsNeedAToken(this IConfiguration configuration) =>
        new[] { "Token", "TokenFile", "MetricsToken", "MetricsTokenFile" }.Any(key => configuration[$"{WebAccess.SectionName}:{key}"] is { Length: > 0 })
        || !IsLoopback(configuration.TelemetryOptions().PrometheusHost);

    /// <summary>Access:AllowedHosts: host names and addresses, ';'- or ','-separated, that requests may name besides loopback's.</summary>
    private static IReadOnlyList<string> ExtraAllowedHosts(this IConfiguration configuration) =>
        (configuration[$"{WebAccess.SectionName}:AllowedHosts"] ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>How a Host header names it: an IPv6 address in brackets.</summary>
    private static string AsHostHeader(string host) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : host;

    private static bool IsEveryAddress(string host) => host is "0.0.0.0" or "::" or "[::]" or "*" or "+";

    private static bool IsLoopback(string host) => host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>A server that listens nowhere, for a silo with no HTTP port.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
