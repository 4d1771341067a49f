using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using UnrolledGan.Grains;

namespace UnrolledGan.SweepClient.Views;

/// <summary>
/// What `--json` prints, for scripts: camelCase names, enums as their names, and the counts a script would otherwise
/// work out from the job list (cancelled among them, so a cancelled sweep is not mistaken for an empty one).
/// </summary>
internal static class SweepJson
{
    private static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions Indented = new(Compact) { WriteIndented = true };

    /// <summary>The full status; each job's config is nested as the object it is, not as a string of JSON.</summary>
    public static string Status(SweepStatus status)
    {
        var node = JsonSerializer.SerializeToNode(status, Compact)!.AsObject();
        foreach (var job in node["jobs"]!.AsArray())
        {
            var spec = job!["spec"]!.AsObject();
            string config = spec["configJson"]!.GetValue<string>();
            spec.Remove("configJson");
            spec["config"] = JsonNode.Parse(config);
        }
        node["counts"] = JsonSerializer.SerializeToNode(Counts.Of(status), Compact);
        return node.ToJsonString(Indented);
    }

    public static string List(IEnumerable<SweepEntry> entries) => JsonSerializer.Serialize(
        entries.Select(e => new
        {
            e.Name, e.Experiment, e.Phase, e.Total, e.Succeeded, e.Failed, Cancelled = SweepView.Cancelled(e), e.CreatedAt,
        }), Indented);

    public static string Submitted(SweepStatus status) => JsonSerializer.Serialize(
        new { status.Name, status.Phase, status.Total, status.Done, Counts = Counts.Of(status), status.ResultsFolder }, Indented);

    public static string Results(SweepStatus status, SweepResults results) => JsonSerializer.Serialize(
        new { status.Name, status.Phase, Counts = Counts.Of(status), results.Table, results.Folder, results.Files }, Indented);

    /// <summary>One line of `watch --json` while the sweep runs: the counts and each running job's progress.</summary>
    public static string ProgressLine(SweepStatus status, DateTimeOffset now) => JsonSerializer.Serialize(new
    {
        Event = "progress",
        Time = now,
        status.Name,
        status.Phase,
        Counts = Counts.Of(status),
        Running = status.Progress.OrderBy(p => p.JobId).Select(p => new { p.JobId, p.Step, p.TotalSteps, p.StepsPerSecond, p.EtaSeconds, p.Silo }),
    }, Compact);

    /// <summary>The last line of `watch --json`: how the sweep ended and its table.</summary>
    public static string EndLine(SweepStatus status, SweepResults results) => JsonSerializer.Serialize(new
    {
        Event = "ended",
        Time = status.EndedAt,
        status.Name,
        status.Phase,
        Counts = Counts.Of(status),
        results.Table,
        results.Folder,
    }, Compact);

    private sealed record Counts(int Total, int Queued, int Running, int Succeeded, int Failed, int Cancelled)
    {
        public static Counts Of(SweepStatus s) => new(s.Total, s.Count(JobStatus.Queued), s.Count(JobStatus.Running),
            s.Count(JobStatus.Succeeded), s.Count(JobStatus.Failed), s.Count(JobStatus.Cancelled));
    }
}
