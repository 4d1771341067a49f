using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Web;

namespace UnrolledGan.Silo;

/// <summary>
/// The silo's HTTP side: the Orleans Dashboard and the sweep pages on Dashboard:Host:Port, Prometheus' /metrics on
/// Telemetry:PrometheusHost:PrometheusPort (each plus Cluster:Instance; port 0 turns it off). Both listen on
/// loopback unless configured otherwise; beyond loopback they need Access:Token, and when it is set every request
/// must carry it. With both off the silo serves no HTTP at all.
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

    /// <summary>Whether the dashboard or /metrics listens beyond loopback.</summary>
    public static bool ServesBeyondLoopback(this IConfiguration configuration) =>
        (configuration.DashboardUrl() is not null && !IsLoopback(configuration.DashboardOptions().Host))
        || (configuration.MetricsUrl() is not null && !IsLoopback(configuration.TelemetryOptions().PrometheusHost));

    public static WebApplicationBuilder AddSiloWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloDashboardOptions>().BindConfiguration(SiloDashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        string[] urls = new[] { builder.Configuration.DashboardUrl(), builder.Configuration.MetricsUrl()?[..^"/metrics".Length] }.OfType<string>().ToArray();
        if (urls.Length > 0)
        {
            builder.WebHost.UseUrls(urls);
        }
        else
        {
            // Kestrel would otherwise fall back to localhost:5000; with nothing to serve there is no server.
            builder.Services.AddSingleton<IServer, NoServer>();
        }
        if (builder.Configuration.MetricsUrl() is not null)
        {
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusExporter());
        }
        if (AccessToken.From(builder.Configuration) is { } token)
        {
            builder.Services.AddAuthentication(AccessTokenHandler.SchemeName)
                .AddScheme<AccessTokenOptions, AccessTokenHandler>(AccessTokenHandler.SchemeName, o => o.Token = token);
            // Every endpoint, including any mapped later, needs the token.
            builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
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
        if (AccessToken.From(app.Configuration) is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        if (app.Configuration.DashboardUrl() is { } dashboard)
        {
            string port = $"*:{new Uri(dashboard).Port}";
            app.MapOrleansDashboard("/dashboard").RequireHost(port);
            app.MapSweepPages().All.RequireHost(port);
        }
        if (app.Configuration.MetricsUrl() is { } metrics)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{new Uri(metrics).Port}");
        }
        return app;
    }

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
