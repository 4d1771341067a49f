using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using UnrolledGan.Grains;

namespace UnrolledGan.ServiceDefaults;

/// <summary>Where telemetry goes.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OTLP endpoint (e.g. http://otel-collector:4317); empty exports nothing over OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Port of a silo's Prometheus scrape endpoint (/metrics), plus the silo's instance number; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int PrometheusPort { get; set; } = 9464;

    /// <summary>The address /metrics listens on: loopback unless a scraper elsewhere needs it.</summary>
    [Required]
    public string PrometheusHost { get; set; } = "127.0.0.1";
}

public static class Telemetry
{
    /// <summary>
    /// Metrics (the Microsoft.Orleans meter and ours) and traces (Orleans grain calls and our job spans) for every
    /// host, exported over OTLP when an endpoint is configured. Silos add their Prometheus endpoint themselves.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName, string? instanceId = null)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        string version = typeof(Telemetry).Assembly.GetName().Version?.ToString() ?? "0";
        bool otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version, serviceInstanceId: instanceId ?? Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Microsoft.Orleans", TelemetryNames.Meter).AddRuntimeInstrumentation();
                if (otlp)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint!));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource("Microsoft.Orleans.Application", TelemetryNames.ActivitySource);
                if (otlp)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint!));
                }
            });
        return builder;
    }
}
