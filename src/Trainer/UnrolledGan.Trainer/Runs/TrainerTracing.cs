using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace UnrolledGan.Trainer.Runs;

/// <summary>
/// The trainer's spans: load, restore, train, evaluate and checkpoint under one "trainer" span. A supervising silo
/// that exports traces passes the standard OTEL_EXPORTER_OTLP_ENDPOINT (and _PROTOCOL), and its job span as
/// TRACEPARENT (the W3C convention for environment carriers), so the trainer's spans join the sweep's trace. Without
/// an endpoint nothing listens, and the spans are never created.
/// </summary>
internal static class TrainerTracing
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static readonly ActivitySource Source = new("UnrolledGan.Trainer");

    /// <summary>Exports this process's spans until disposed (which flushes them), or null when no endpoint is set.</summary>
    public static TracerProvider? Start() =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable))
            ? null
            : Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService("unrolledgan-trainer",
                    serviceVersion: typeof(TrainerTracing).Assembly.GetName().Version?.ToString(),
                    serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
                .AddSource(Source.Name)
                // Reads the endpoint and protocol from the environment, and appends /v1/traces for OTLP/HTTP itself.
                .AddOtlpExporter()
                .Build();

    /// <summary>The supervising silo's job span, or none for a trainer started by hand.</summary>
    public static ActivityContext Parent =>
        ActivityContext.TryParse(Environment.GetEnvironmentVariable(TrainerProtocol.TraceParentVariable), null, out var parent) ? parent : default;
}
