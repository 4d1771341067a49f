using System.Text;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// One sweep's trace, end to end, as a collector receives it over OTLP: the client's submit, the grain calls on the
/// silo that holds the sweep, each job's span on the silo that ran it, and the trainer process's own phases.
/// </summary>
public sealed class TraceTests
{
    private static readonly TimeSpan Start = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task OneTraceCoversTheClientBothSilosAndTheTrainersPhases()
    {
        using var collector = new OtlpReceiver();
        string folder = Directory.CreateTempSubdirectory("unrolledgan-trace-").FullName;
        var settings = SiloProcess.Isolated(folder);
        settings["Telemetry__OtlpEndpoint"] = collector.Endpoint;
        settings["Telemetry__OtlpProtocol"] = "HttpProtobuf";
        // Two silos of one slot each share the sweep's two jobs, so one job runs on the silo that does not hold the sweep.
        await using var first = SiloProcess.Start(settings);
        await first.WaitUntilReadyAsync(Start);
        await using var second = SiloProcess.Start(new Dictionary<string, string>(settings) { ["Cluster__Instance"] = "1" });
        await second.WaitUntilReadyAsync(Start);

        var client = new Dictionary<string, string>
        {
            ["Telemetry__OtlpEndpoint"] = collector.Endpoint, ["Telemetry__OtlpProtocol"] = "HttpProtobuf",
            ["XDG_STATE_HOME"] = Path.Combine(folder, "client-state"),
        };
        var (code, output, error) = await SiloProcess.RunClientAsync(client, TimeSpan.FromMinutes(4),
            "run", "--name", "traced", "--experiment", "mixture-of-gaussians", "--preset", "quick", "-k", "0,1", "--seeds", "1",
            "--steps", "200", "--gateway", $"127.0.0.1:{settings["Cluster__GatewayPort"]}");
        code.ShouldBe(0, $"{output}\n{error}");

        // Each process exports its spans in batches, and a job's span ends after its trainer's.
        var trainers = await Poll.UntilAsync(() => Task.FromResult(collector.Spans.Where(s => s.Name == "trainer").ToArray()),
            t => t.Length == 2 && t.All(trainer => collector.Spans.Any(s => s.SpanId == trainer.ParentSpanId)), TimeSpan.FromSeconds(30),
            "both trainers' spans and their jobs' spans reaching the collector");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "spans-received.txt"), Tree(collector.Spans));
        var submit = collector.Spans.Single(s => s.Name == "sweep.submit");
        var trace = collector.Spans.Where(s => s.TraceId == submit.TraceId).ToArray();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "trace-of-a-sweep.txt"), Tree(trace));

        trainers.ShouldAllBe(t => t.TraceId == submit.TraceId, Tree(trace));
        foreach (var trainer in trainers)
        {
            var job = trace.Single(s => s.SpanId == trainer.ParentSpanId);
            job.Name.ShouldBe("job");
            job.Resource["service.name"].ShouldBe("unrolledgan-silo");
            job.Attributes["job.id"].ShouldBe(trainer.Attributes["job.id"]);
            var phases = trace.Where(s => Descends(s, trainer, trace)).Select(s => s.Name).ToHashSet();
            phases.ShouldBe(new HashSet<string> { "load", "restore", "train", "evaluate", "checkpoint" }, ignoreOrder: true, Tree(trace));
            // The job's span ends after its trainer's: it covers the process from start to end.
            job.EndNanos.ShouldBeGreaterThanOrEqualTo(trainer.EndNanos);
        }
        // Client, both silos and the trainers: every job's chain reaches back to the client's submit.
        trace.Where(s => s.Resource["service.name"] == "unrolledgan-silo").Select(s => s.Process).Distinct().Count().ShouldBe(2, Tree(trace));
        trainers.Select(t => t.Process).Distinct().Count().ShouldBe(2);
        trainers.ShouldAllBe(t => Descends(t, submit, trace));
        // The silos' logs reach the collector too.
        collector.Logs.ShouldContain(l => l.Resource["service.name"] == "unrolledgan-silo" && l.Body.Contains("started as process"));
    }

    private static bool Descends(OtlpReceiver.Span span, OtlpReceiver.Span ancestor, IReadOnlyList<OtlpReceiver.Span> trace)
    {
        for (var at = trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId); at is not null; at = trace.FirstOrDefault(s => s.SpanId == at.ParentSpanId))
        {
            if (at.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The trace as an indented tree: span, process, start offset and duration.</summary>
    private static string Tree(IReadOnlyList<OtlpReceiver.Span> trace)
    {
        var text = new StringBuilder();
        ulong origin = trace.Count == 0 ? 0 : trace.Min(s => s.StartNanos);
        void Write(OtlpReceiver.Span span, int depth)
        {
            string tags = string.Join(' ', span.Attributes.Where(a => a.Key.StartsWith("job.", StringComparison.Ordinal) || a.Key == "step")
                .Select(a => $"{a.Key}={a.Value}"));
            text.AppendLine($"{new string(' ', depth * 2)}{span.Name}  [{span.Process}]  +{(span.StartNanos - origin) / 1e6:F0} ms, {span.Milliseconds:F1} ms  {tags}");
            foreach (var child in trace.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartNanos))
            {
                Write(child, depth + 1);
            }
        }
        foreach (var root in trace.Where(s => trace.All(p => p.SpanId != s.ParentSpanId)).OrderBy(s => s.StartNanos))
        {
            Write(root, 0);
        }
        return text.ToString();
    }
}
