using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using UnrolledGan.Grains.Telemetry;

namespace UnrolledGan.Hosting;

public static class Telemetry
{
    /// <summary>
    /// Metrics (the Microsoft.Orleans meter and ours) and traces (Orleans grain calls and our job spans) for every
    /// host. A Prometheus endpoint when a port is given (silos), OTLP when an endpoint is configured.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName, bool prometheus)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        int instance = ClusteringOptions.From(builder.Configuration).Instance;
        string version = typeof(Telemetry).Assembly.GetName().Version?.ToString() ?? "0";
        bool otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version, serviceInstanceId: $"{Environment.MachineName}-{instance}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Microsoft.Orleans", SweepMetrics.MeterName).AddRuntimeInstrumentation();
                if (prometheus && options.PrometheusPort > 0)
                {
                    int port = options.PrometheusPort + instance;
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Port = port;
                        // Every interface, so Prometheus can scrape a pod; the Host option only takes one name.
                        o.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://*:{port}/");
                        };
                    });
                }
                if (otlp)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint!));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource("Microsoft.Orleans.Application", SweepMetrics.ActivitySourceName);
                if (otlp)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint!));
                }
            });
        return builder;
    }
}
