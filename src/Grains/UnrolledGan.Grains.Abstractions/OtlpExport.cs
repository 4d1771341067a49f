namespace UnrolledGan.Grains;

/// <summary>
/// Where a host sends its traces, metrics and logs over OTLP (Telemetry:OtlpEndpoint and Telemetry:OtlpProtocol). A
/// trainer child gets the same destination through the standard OTEL_EXPORTER_OTLP_* variables.
/// </summary>
public sealed record OtlpExport(Uri Endpoint, bool Http)
{
    /// <summary>The URL of one signal ("traces", "metrics", "logs"): OTLP/HTTP puts each on its own path, gRPC on one endpoint.</summary>
    public Uri For(string signal) => Http ? new Uri(Endpoint.ToString().TrimEnd('/') + "/v1/" + signal) : Endpoint;

    /// <summary>The OpenTelemetry SDK's own variables, which it reads in any process (it appends the signal's path itself).</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = Http ? "http/protobuf" : "grpc",
    };
}
