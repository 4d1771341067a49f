using System.Globalization;
using System.Text.RegularExpressions;
using UnrolledGan.Deploy.Tests;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// The Grafana dashboard against a real silo's /metrics: every series its queries read is in the scrape once a tiny
/// sweep has run, and every series of our own meter is charted. Names are the exporter's, suffixes and all.
/// </summary>
public sealed partial class DashboardMetricsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task EverySeriesTheDashboardReadsIsInARealSilosScrapeAndEveryOneOfOursIsCharted()
    {
        var settings = SiloProcess.Isolated(Directory.CreateTempSubdirectory("unrolledgan-metrics-").FullName);
        int metrics = SiloProcess.FreePort();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        settings["Workers__PollInterval"] = "00:00:00.500";
        var client = new Dictionary<string, string> { ["UNROLLEDGAN_GATEWAY"] = $"127.0.0.1:{settings["Cluster__GatewayPort"]}" };
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        using var http = new HttpClient();
        async Task<string> ScrapeAsync() => await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics", TestContext.Current.CancellationToken);

        // Before any job: the counts are there, at 0, so a panel shows 0 rather than "no data".
        string idle = await ScrapeAsync();
        foreach (string count in new[] { "unrolledgan_jobs_succeeded_total", "unrolledgan_jobs_failed_total", "unrolledgan_job_retries_total" })
        {
            Value(idle, count).ShouldBe(0, count);
        }

        // K = 5 trains a few hundred steps in seconds, long enough for a scrape to see the job's training rate.
        var submit = await SiloProcess.RunClientAsync(client, Timeout, "submit", "--name", "tiny", "--unroll", "5", "--seeds", "1",
            "--steps", "300", "--set", "logInterval=25");
        submit.ExitCode.ShouldBe(0, submit.Error);
        const string rate = "unrolledgan_training_steps_per_second{";
        string training = await Poll.UntilAsync(ScrapeAsync, scrape => scrape.Contains(rate, StringComparison.Ordinal), Timeout,
            $"a scrape showing {rate}");
        Value(training, "unrolledgan_jobs_running").ShouldBe(1);
        var watch = await SiloProcess.RunClientAsync(client, Timeout, "watch", "tiny");
        watch.ExitCode.ShouldBe(0, watch.Output + watch.Error);
        string scrape = await ScrapeAsync();

        // A job's training rate is a series only while it trains; every other series is there after the sweep.
        var exported = Series().Matches(scrape + training).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var charted = GrafanaDashboard.Load(GrafanaDashboard.FindFile()).MetricNames;
        charted.Where(name => !exported.Contains(name)).Order().ShouldBeEmpty("the dashboard reads series no silo exports");
        var ours = Family().Matches(scrape).Select(m => m.Groups["name"].Value).Where(name => name.StartsWith("unrolledgan_", StringComparison.Ordinal));
        ours.Where(family => !charted.Any(name => name == family || name.StartsWith(family + "_", StringComparison.Ordinal)))
            .ShouldBeEmpty("series of our meter that no panel shows");

        // The one run succeeded: one sample under outcome="succeeded", in the buckets that reach a day.
        Value(scrape, "unrolledgan_jobs_succeeded_total").ShouldBe(1);
        Value(scrape, "unrolledgan_jobs_failed_total").ShouldBe(0);
        Value(scrape, "unrolledgan_job_duration_seconds_count", "outcome=\"succeeded\"").ShouldBe(1);
        Value(scrape, "unrolledgan_job_duration_seconds_bucket", "le=\"86400\"").ShouldBe(1);
    }

    /// <summary>The value of the series' one sample whose labels contain the given text.</summary>
    private static double Value(string scrape, string name, string labels = "") => Series().Matches(scrape)
        .Where(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal))
        .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
        .Single();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Series();

    [GeneratedRegex(@"^# TYPE (?<name>\S+) ", RegexOptions.Multiline)]
    private static partial Regex Family();
}
