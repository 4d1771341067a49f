using Spectre.Console;
using UnrolledGan.Grains;

namespace UnrolledGan.SweepClient.Views;

/// <summary>
/// Live progress of a sweep: one line per running job (step, rate, ETA) and overall done/total. On a terminal it
/// redraws in place; in a log or CI it prints a line when something changes, at most every few seconds.
/// </summary>
internal static class SweepView
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    /// <summary>Follows the sweep until it is no longer running; returns its last status.</summary>
    public static async Task<SweepStatus> WatchAsync(ISweepGrain sweep, CancellationToken cancellation, bool json = false)
    {
        var status = await sweep.GetStatusAsync() ?? throw new InvalidOperationException("the sweep does not exist");
        if (json || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await WatchPlainAsync(sweep, status, json, cancellation);
        }
        await AnsiConsole.Live(Render(status)).AutoClear(false).StartAsync(async live =>
        {
            while (status.Phase == SweepPhase.Running)
            {
                await Task.Delay(Refresh, cancellation);
                status = await sweep.GetStatusAsync() ?? status;
                live.UpdateTarget(Render(status));
            }
        });
        return status;
    }

    /// <summary>A line when the counts change, else every <see cref="PlainInterval"/>: as text, or as one JSON object a line.</summary>
    private static async Task<SweepStatus> WatchPlainAsync(ISweepGrain sweep, SweepStatus status, bool json, CancellationToken cancellation)
    {
        string last = "";
        var printed = DateTimeOffset.MinValue;
        while (true)
        {
            string summary = Summary(status);
            // The ended sweep's line is the caller's: its table goes with it.
            bool ended = status.Phase != SweepPhase.Running;
            if ((summary != last || DateTimeOffset.UtcNow - printed >= PlainInterval) && !(json && ended))
            {
                Console.WriteLine(json ? SweepJson.ProgressLine(status, DateTimeOffset.UtcNow) : PlainLine(status, summary));
                (last, printed) = (summary, DateTimeOffset.UtcNow);
            }
            if (status.Phase != SweepPhase.Running)
            {
                return status;
            }
            await Task.Delay(Refresh, cancellation);
            status = await sweep.GetStatusAsync() ?? status;
        }
    }

    private static string PlainLine(SweepStatus status, string summary)
    {
        var running = status.Progress.OrderBy(p => p.JobId).Select(p => $"{p.JobId} {p.Step}/{p.TotalSteps} {Rate(p)} ETA {Eta(p)}");
        return $"[{DateTime.Now:HH:mm:ss}] {summary}{(status.Progress.Count > 0 ? " | " : "")}{string.Join("; ", running)}";
    }

    /// <summary>
    /// A running sweep by what is left to do; an ended one by how its jobs ended, in the same words `list` and
    /// `results` use, so a cancelled sweep never reads as done.
    /// </summary>
    public static string Summary(SweepStatus status) => status.Phase switch
    {
        SweepPhase.Running => $"{status.Name}: {status.Done}/{status.Total} done, {status.Count(JobStatus.Running)} running, " +
            $"{status.Count(JobStatus.Queued)} queued, {status.Count(JobStatus.Failed)} failed",
        SweepPhase.Damaged => $"{status.Name}: damaged: {status.Problem}",
        _ => $"{status.Name}: {Outcome(status.Phase, status.Total, status.Count(JobStatus.Succeeded), status.Count(JobStatus.Failed), status.Count(JobStatus.Cancelled))}",
    };

    /// <summary>"cancelled: 2 of 6 succeeded, 4 cancelled": the phase, then how many jobs ended which way.</summary>
    public static string Outcome(SweepPhase phase, int total, int succeeded, int failed, int cancelled) =>
        $"{phase.ToString().ToLowerInvariant()}: {succeeded} of {total} succeeded" +
        (failed > 0 ? $", {failed} failed" : "") + (cancelled > 0 ? $", {cancelled} cancelled" : "");

    public static string ListLine(SweepEntry entry) =>
        $"{entry.Name,-24} {entry.Experiment,-22} {Outcome(entry.Phase, entry.Total, entry.Succeeded, entry.Failed, Cancelled(entry)),-44} {entry.CreatedAt:u}";

    /// <summary>
    /// The catalog counts succeeded and failed jobs only; cancelling a sweep marks every job that had not ended as
    /// cancelled, so in a cancelled sweep the rest are exactly those (a resubmit queues them again).
    /// </summary>
    public static int Cancelled(SweepEntry entry) => entry.Phase == SweepPhase.Cancelled ? entry.Total - entry.Succeeded - entry.Failed : 0;

    private static Table Render(SweepStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Summary(status)))
            .AddColumns("Job", "K", "Seed", "Progress", "Steps/s", "ETA", "Silo");
        var progress = status.Progress.ToDictionary(p => p.JobId);
        foreach (var job in status.Jobs.Where(j => j.Status == JobStatus.Running))
        {
            var p = progress.GetValueOrDefault(job.Spec.JobId);
            table.AddRow(
                Markup.Escape(job.Spec.JobId), job.Spec.Unroll.ToString(), job.Spec.Seed.ToString(),
                p is null ? "starting" : Bar(p.Step, p.TotalSteps), p is null ? "" : Rate(p), p is null ? "" : Eta(p),
                Markup.Escape(ShortSilo(job.Silo)));
        }
        return table;
    }

    private static string Bar(int step, int total)
    {
        const int Width = 12;
        int filled = total > 0 ? (int)Math.Round(Width * (double)step / total) : 0;
        return $"[green]{new string('━', filled)}[/][grey]{new string('━', Width - filled)}[/] {step}/{total}";
    }

    private static string Rate(JobProgress p) => p.StepsPerSecond is { } rate ? $"{rate:0.#}/s" : "";

    private static string Eta(JobProgress p) => p.EtaSeconds is { } eta ? TimeSpan.FromSeconds(Math.Round(eta)).ToString(@"h\:mm\:ss") : "?";

    private static string ShortSilo(string? silo) => silo is null ? "" : silo.Split('@')[0];
}
