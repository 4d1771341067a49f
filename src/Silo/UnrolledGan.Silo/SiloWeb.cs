using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;
using UnrolledGan.Hosting;

namespace UnrolledGan.Silo;

/// <summary>The silo's web port: the Orleans Dashboard, on loopback unless configured otherwise; Dashboard:Port=0 serves nothing.</summary>
internal static class SiloWeb
{
    public static SiloDashboardOptions DashboardOptions(this IConfiguration configuration) =>
        configuration.GetSection(SiloDashboardOptions.SectionName).Get<SiloDashboardOptions>() ?? new();

    /// <summary>The dashboard's URL for this silo instance, or null when it is off.</summary>
    public static string? DashboardUrl(this IConfiguration configuration)
    {
        var dashboard = configuration.DashboardOptions();
        return dashboard.Port > 0 ? $"http://{dashboard.Host}:{dashboard.Port + ClusteringOptions.From(configuration).Instance}" : null;
    }

    public static WebApplicationBuilder AddSiloWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloDashboardOptions>().BindConfiguration(SiloDashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.DashboardUrl() is { } url)
        {
            builder.WebHost.UseUrls(url);
        }
        else
        {
            // Kestrel would otherwise fall back to localhost:5000; with the dashboard off there is nothing to serve.
            builder.Services.AddSingleton<IServer, NoServer>();
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
        if (app.Configuration.DashboardUrl() is not null)
        {
            app.MapOrleansDashboard("/dashboard");
        }
        return app;
    }

    /// <summary>A server that listens nowhere, for a silo with no web port.</summary>
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
