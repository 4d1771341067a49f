using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
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

    /// <summary>How OTLP is sent: Grpc (a collector's port 4317) or HttpProtobuf (port 4318, each signal on /v1/&lt;signal&gt;).</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>Port of a silo's Prometheus scrape endpoint (/metrics), plus the silo's instance number; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int PrometheusPort { get; set; } = 9464;

    /// <summary>The address /metrics listens on: loopback unless a scraper elsewhere needs it.</summary>
    [Required]
    public string PrometheusHost { get; set; } = "127.0.0.1";
}

public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}

public static class Telemetry
{
    /// <summary>
    /// Metrics (the Microsoft.Orleans meter and ours) and traces (Orleans grain calls and our job spans) for every
    /// host, exported over OTLP when an endpoint is configured; then Serilog sends the logs there too, and trainer
    /// children their spans. Silos add their Prometheus endpoint themselves.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName, string? instanceId = null)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        string version = typeof(Telemetry).Assembly.GetName().Version?.ToString() ?? "0";
        var service = new ServiceIdentity(serviceName, version, instanceId ?? Environment.MachineName);
        var otlp = Export(options);
        builder.Services.AddSingleton(service);
        if (otlp is not null)
        {
            builder.Services.AddSingleton(otlp);
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(service.Name, serviceVersion: service.Version, serviceInstanceId: service.InstanceId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Microsoft.Orleans", TelemetryNames.Meter).AddRuntimeInstrumentation();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Configure(o, otlp, "metrics"));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource("Microsoft.Orleans.Application", TelemetryNames.ActivitySource);
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(o => Configure(o, otlp, "traces"));
                }
            });
        return builder;
    }

    /// <summary>The configured OTLP destination, or null when Telemetry:OtlpEndpoint is empty.</summary>
    public static OtlpExport? Export(TelemetryOptions options) =>
        string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            ? null
            : new OtlpExport(new Uri(options.OtlpEndpoint), options.OtlpProtocol == OtlpProtocol.HttpProtobuf);

    private static void Configure(OtlpExporterOptions exporter, OtlpExport otlp, string signal)
    {
        exporter.Protocol = otlp.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Set in code, the endpoint is used as given: OTLP/HTTP needs the signal's own path.
        exporter.Endpoint = otlp.For(signal);
    }
}

/// <summary>What every signal of this host is labelled with: the OpenTelemetry resource's service name, version and instance.</summary>
public sealed record ServiceIdentity(string Name, string Version, string InstanceId);
