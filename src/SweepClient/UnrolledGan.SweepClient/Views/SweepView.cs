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
    public static async Task<SweepStatus> WatchAsync(ISweepGrain sweep, CancellationToken cancellation)
    {
        var status = await sweep.GetStatusAsync() ?? throw new InvalidOperationException("the sweep does not exist");
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await WatchPlainAsync(sweep, status, cancellation);
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

    private static async Task<SweepStatus> WatchPlainAsync(ISweepGrain sweep, SweepStatus status, CancellationToken cancellation)
    {
        string last = "";
        var printed = DateTimeOffset.MinValue;
        while (true)
        {
            string summary = Summary(status);
            if (summary != last || DateTimeOffset.UtcNow - printed >= PlainInterval)
            {
                var running = status.Progress.OrderBy(p => p.JobId).Select(p => $"{p.JobId} {p.Step}/{p.TotalSteps} {Rate(p)} ETA {Eta(p)}");
                Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {summary}{(status.Progress.Count > 0 ? " | " : "")}{string.Join("; ", running)}");
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

    public static string Summary(SweepStatus status) =>
        $"{status.Name}: {status.Done}/{status.Total} done, {status.Count(JobStatus.Running)} running, " +
        $"{status.Count(JobStatus.Queued)} queued, {status.Count(JobStatus.Failed)} failed" +
        (status.Phase == SweepPhase.Running ? "" : $" ({status.Phase.ToString().ToLowerInvariant()})");

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
