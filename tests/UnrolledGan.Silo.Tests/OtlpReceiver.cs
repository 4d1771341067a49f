using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// An OTLP/HTTP endpoint for tests, standing in for a collector: it accepts /v1/traces, /v1/logs and /v1/metrics as
/// the OpenTelemetry exporters send them (protobuf) and keeps the spans and log records it decodes. It decodes only
/// the fields the tests read, straight from the protobuf wire format of the OTLP protos (opentelemetry-proto v1).
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly ConcurrentQueue<LogRecord> _logs = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();

    public OtlpReceiver()
    {
        Port = SiloProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<Span> Spans => _spans.ToArray();

    public IReadOnlyList<LogRecord> Logs => _logs.ToArray();

    /// <summary>Requests received per path, e.g. "/v1/metrics".</summary>
    public IReadOnlyDictionary<string, int> Requests => _requests;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            string path = context.Request.Url!.AbsolutePath;
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            switch (path)
            {
                case "/v1/traces":
                    ReadTraces(body.ToArray());
                    break;
                case "/v1/logs":
                    ReadLogs(body.ToArray());
                    break;
            }
            // An empty Export*ServiceResponse: everything accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.resource = 1, .scope_spans = 2; ScopeSpans.spans = 2.
    private void ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            var resource = Resource(resourceSpans.Bytes);
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    _spans.Enqueue(ReadSpan(span.Bytes, resource));
                }
            }
        }
    }

    // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, start = 7, end = 8 (fixed64 ns), attributes = 9.
    private static Span ReadSpan(byte[] span, IReadOnlyDictionary<string, string> resource)
    {
        var fields = Fields(span).ToArray();
        string Hex(int number) => fields.FirstOrDefault(f => f.Number == number).Bytes is { Length: > 0 } b ? Convert.ToHexStringLower(b) : "";
        ulong Time(int number) => fields.FirstOrDefault(f => f.Number == number).Value;
        return new Span(Hex(1), Hex(2), Hex(4), Encoding.UTF8.GetString(fields.First(f => f.Number == 5).Bytes),
            Time(7), Time(8), Attributes(fields.Where(f => f.Number == 9)), resource);
    }

    // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs.scope_logs = 2; ScopeLogs.log_records = 2;
    // LogRecord: severity_text = 3, body = 5 (AnyValue), trace_id = 9.
    private void ReadLogs(byte[] request)
    {
        foreach (var resourceLogs in Fields(request).Where(f => f.Number == 1))
        {
            var resource = Resource(resourceLogs.Bytes);
            foreach (var scopeLogs in Fields(resourceLogs.Bytes).Where(f => f.Number == 2))
            {
                foreach (var record in Fields(scopeLogs.Bytes).Where(f => f.Number == 2))
                {
                    var fields = Fields(record.Bytes).ToArray();
                    string body = fields.FirstOrDefault(f => f.Number == 5).Bytes is { } value ? AnyValue(value) : "";
                    string severity = fields.FirstOrDefault(f => f.Number == 3).Bytes is { } text ? Encoding.UTF8.GetString(text) : "";
                    string traceId = fields.FirstOrDefault(f => f.Number == 9).Bytes is { Length: > 0 } id ? Convert.ToHexStringLower(id) : "";
                    _logs.Enqueue(new LogRecord(severity, body, traceId, resource));
                }
            }
        }
    }

    // Resource.attributes = 1.
    private static IReadOnlyDictionary<string, string> Resource(byte[] resourceSpans) =>
        Fields(resourceSpans).Where(f => f.Number == 1).Select(f => Attributes(Fields(f.Bytes).Where(a => a.Number == 1))).FirstOrDefault()
        ?? new Dictionary<string, string>();

    // KeyValue: key = 1, value = 2 (AnyValue).
    private static Dictionary<string, string> Attributes(IEnumerable<Field> keyValues) => keyValues
        .Select(kv => Fields(kv.Bytes).ToArray())
        .ToDictionary(f => Encoding.UTF8.GetString(f.First(x => x.Number == 1).Bytes),
            f => f.FirstOrDefault(x => x.Number == 2).Bytes is { } value ? AnyValue(value) : "");

    // AnyValue: string_value = 1, bool_value = 2, int_value = 3 (varint), double_value = 4 (fixed64).
    private static string AnyValue(byte[] value)
    {
        foreach (var f in Fields(value))
        {
            return f.Number switch
            {
                1 => Encoding.UTF8.GetString(f.Bytes),
                2 => (f.Value != 0).ToString(),
                3 => ((long)f.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.UInt64BitsToDouble(f.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        }
        return "";
    }

    /// <summary>The fields of one protobuf message: number, and the bytes (length-delimited) or the value (varint, fixed).</summary>
    private static IEnumerable<Field> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return new Field(number, [], Varint(message, ref at));
                    break;
                case 1:
                    yield return new Field(number, [], BitConverter.ToUInt64(message, at));
                    at += 8;
                    break;
                case 2:
                    int length = (int)Varint(message, ref at);
                    yield return new Field(number, message[at..(at + length)], 0);
                    at += length;
                    break;
                case 5:
                    yield return new Field(number, [], BitConverter.ToUInt32(message, at));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {key & 7} is not used by OTLP");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public void Dispose() => _listener.Close();

    /// <summary>Bytes is empty for a number, and null only in the default (absent) field.</summary>
    private readonly record struct Field(int Number, byte[] Bytes, ulong Value);

    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, ulong StartNanos, ulong EndNanos,
        IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource)
    {
        /// <summary>The process that sent the span: its service and instance.</summary>
        public string Process => $"{Resource.GetValueOrDefault("service.name")}/{Resource.GetValueOrDefault("service.instance.id")}";

        public double Milliseconds => (EndNanos - StartNanos) / 1e6;
    }

    public sealed record LogRecord(string Severity, string Body, string TraceId, IReadOnlyDictionary<string, string> Resource);
}
