using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// Prometheus finds the silos, and the Grafana dashboard's queries parse and read counters and histograms as rates.
/// That every series they name is exported is checked against a real silo's scrape (UnrolledGan.Silo.Tests), and that
/// every query returns data from a real Prometheus by scripts/monitoring-test.sh.
/// </summary>
public sealed partial class MonitoringTests
{
    private static readonly Yaml _prometheus = Yaml.Load(DeployFiles.Read("monitoring/prometheus.yaml"), "prometheus.yaml");
    private static readonly Yaml _hosts = Yaml.Load(DeployFiles.Read("monitoring/prometheus-hosts.yaml"), "prometheus-hosts.yaml");
    private static readonly GrafanaDashboard _dashboard = GrafanaDashboard.Load(Path.Combine(DeployFiles.Deploy, "monitoring", "grafana-dashboard.json"));

    private static Yaml ScrapeJob(Func<Yaml, bool> predicate) => _prometheus["scrape_configs"].Items.Single(predicate);

    private static Yaml HostsJob => _hosts["scrape_configs"].Items.Single();

    private static int PrometheusPort => int.Parse(DeployFiles.EnvironmentOf(DeployFiles.SiloContainer)["Telemetry__PrometheusPort"]);

    private static IReadOnlyList<string> Queries => _dashboard.Queries;

    private static IReadOnlyList<JsonElement> Panels => _dashboard.Panels;

    private static IEnumerable<JsonElement> Charts => Panels.Where(p => p.GetProperty("type").GetString() != "row");

    [Fact]
    public void PrometheusDiscoversPodsByTheAnnotationsTheSilosCarry()
    {
        var job = ScrapeJob(j => j["kubernetes_sd_configs"].Exists);
        var annotations = DeployFiles.Silos.PodTemplate["metadata"]["annotations"].TextMap;
        var relabels = job["relabel_configs"].Items;

        job["kubernetes_sd_configs"].Items.Single()["role"].Text.ShouldBe("pod");
        job["kubernetes_sd_configs"].Items.Single()["namespaces"]["names"].Items.Select(n => n.Text).ShouldContain(Contract.Namespace);

        var keep = relabels.Single(r => r["action"].TextOrNull == "keep");
        string scrapeLabel = keep["source_labels"].Items.Single().Text;
        scrapeLabel.ShouldBe(MetaLabel("prometheus.io/scrape"));
        Regex.IsMatch(annotations["prometheus.io/scrape"], $"^(?:{keep["regex"].Text})$").ShouldBeTrue();

        // Prometheus only sees the annotations the pods carry, under their sanitised names.
        var sources = relabels.SelectMany(r => r["source_labels"].Items.Select(s => s.Text))
            .Where(s => s.StartsWith("__meta_kubernetes_pod_annotation_", StringComparison.Ordinal));
        sources.ShouldAllBe(s => annotations.Keys.Select(MetaLabel).Contains(s));
    }

    [Fact]
    public void ThePortRelabelingPutsTheAnnotatedPortOnThePodAddress()
    {
        var job = ScrapeJob(j => j["kubernetes_sd_configs"].Exists);
        var rule = job["relabel_configs"].Items.Single(r => r["target_label"].TextOrNull == "__address__");
        string source = string.Join(';', rule["source_labels"].Items.Select(s => s.Text)
            .Select(s => s switch
            {
                "__address__" => "10.1.2.3:11111",
                _ when s == MetaLabel("prometheus.io/port") => DeployFiles.Silos.PodTemplate["metadata"]["annotations"]["prometheus.io/port"].Text,
                _ => throw new InvalidOperationException($"unexpected source label {s}"),
            }));

        // Prometheus anchors relabel regexes and writes Go's $1 as .NET's $1 too.
        string address = Regex.Replace(source, $"^(?:{rule["regex"].Text})$", rule["replacement"].Text);

        address.ShouldBe($"10.1.2.3:{PrometheusPort}");
    }

    [Fact]
    public void TheKubernetesFileHoldsOnlyTheKubernetesJob()
    {
        // Debian's Prometheus has no Kubernetes discovery and rejects a file that names it, so silos elsewhere get a
        // file of their own.
        _prometheus["scrape_configs"].Items.ShouldAllBe(j => j["kubernetes_sd_configs"].Exists);
        _hosts["scrape_configs"].Items.ShouldAllBe(j => !j["kubernetes_sd_configs"].Exists);
        _hosts["scrape_configs"].Items.Select(j => j["job_name"].Text)
            .ShouldNotContain(ScrapeJob(j => true)["job_name"].Text, "the dashboard's job variable tells the two apart");
    }

    [Fact]
    public void TheHostsJobScrapesTheFirstTwoSilosOnOneMachineFromItsTargetsFile()
    {
        string file = HostsJob["file_sd_configs"].Items.Single()["files"].Items.Single().Text;
        var groups = Yaml.Load(DeployFiles.Read(Path.Combine("monitoring", file)), file);
        var targets = groups.Items.SelectMany(g => g["targets"].Items.Select(t => t.Text)).ToArray();

        Path.IsPathRooted(file).ShouldBeFalse("Prometheus reads it beside the configuration");
        targets.ShouldBe([$"localhost:{PrometheusPort}", $"localhost:{PrometheusPort + 1}"]);
    }

    [Fact]
    public void TheHostsJobSendsTheMetricsTokenFromAFileBesideItThatGitIgnores()
    {
        var authorization = HostsJob["authorization"];
        string file = authorization["credentials_file"].Text;
        var ignored = File.ReadAllLines(Path.Combine(DeployFiles.Deploy, "monitoring", ".gitignore"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'));

        (authorization["type"].TextOrNull ?? "Bearer").ShouldBe("Bearer");
        Path.IsPathRooted(file).ShouldBeFalse("Prometheus reads it beside the configuration");
        ignored.ShouldContain(file, "the token is a secret");
        File.Exists(Path.Combine(DeployFiles.Deploy, "monitoring", file)).ShouldBeFalse("a token must never be committed");
    }

    [Fact]
    public void EveryQueryParses()
    {
        Queries.Count.ShouldBeGreaterThan(20);
        foreach (string query in Queries)
        {
            GrafanaDashboard.ProblemsOf(query).ShouldBeEmpty(query);
        }
    }

    [Theory]
    [InlineData("sum by (le) (rate(a_bucket{job=~\"$job\", outcome=\"x\"}[$window]))", "a_bucket")]
    [InlineData("60 * sum(rate(b_total{instance=~\"$instance\"}[$__rate_interval])) / max by (instance) (c)", "b_total c")]
    [InlineData("label_values(d{job=~\"$job\"}, instance)", "d")]
    [InlineData("sum(e) and on (instance) f offset 5m", "e f")]
    public void TheMetricNamesOfAQueryLeaveOutFunctionsLabelsAndVariables(string query, string names)
    {
        GrafanaDashboard.MetricNamesOf(query).ShouldBe(names.Split(' '), ignoreOrder: true);
    }

    [Theory]
    [InlineData("sum(rate(a_total[5m])")]
    [InlineData("sum(rate(a_total[5m)))")]
    [InlineData("summ(a)")]
    [InlineData("sum(a{job=$job})")]
    public void AQueryThatCannotParseIsCaught(string query)
    {
        GrafanaDashboard.ProblemsOf(query).ShouldNotBeEmpty();
    }

    [Fact]
    public void CountersAndHistogramSeriesAreOnlyReadThroughARangeSelector()
    {
        // A raw counter or bucket is a running total since the silo started; only its rate or increase means anything,
        // save for a series born inside the window, whose total is what it gained in it (SinceWindowStart).
        foreach (string query in Queries.Select(q => SinceWindowStart().Replace(q, "increase(${series}[${window}])")))
        {
            foreach (Match use in MetricUse().Matches(query))
            {
                string name = use.Groups["name"].Value;
                if (name.EndsWith("_total") || name.EndsWith("_bucket") || name.EndsWith("_sum") || name.EndsWith("_count"))
                {
                    use.Groups["range"].Success.ShouldBeTrue($"{name} without a range selector in: {query}");
                }
            }
        }
    }

    [Fact]
    public void QuantilesComeFromHistogramBucketsSummedByLe()
    {
        var quantiles = Queries.Where(q => q.Contains("histogram_quantile")).ToArray();

        quantiles.Select(q => SinceWindowStart().Replace(q, "rate(${series}[${window}])")).ShouldAllBe(q => QuantileOfBuckets().IsMatch(q));
        // How long jobs take: runs that succeeded, not the failures that ended early, nor interrupted ones (not recorded).
        var durations = quantiles.Where(q => q.Contains("unrolledgan_job_duration_seconds_bucket")).ToArray();
        durations.ShouldAllBe(q => q.Contains("outcome=\"succeeded\""));
        durations.Select(q => QuantileArgument().Match(q).Groups[1].Value).ShouldBe(["0.5", "0.95"], ignoreOrder: true);
        quantiles.ShouldContain(q => q.Contains("orleans_app_requests_latency_milliseconds_bucket"));
    }

    [Fact]
    public void JobDurationsCountTheFirstRunOfASeriesBornInsideTheWindow()
    {
        // A silo exports a duration series from its first run of an outcome on, so rate() over a window that holds the
        // series' birth drops that run: the first job of a new cluster or pod. A real Prometheus showed the quantiles
        // of a sweep with one success as no data (scripts/monitoring-test.sh).
        var durations = Queries.Where(q => q.Contains("unrolledgan_job_duration_seconds")).ToArray();

        durations.Length.ShouldBe(3, "p50 and p95 of successes, the mean of failures");
        foreach (string query in durations)
        {
            SinceWindowStart().IsMatch(query).ShouldBeTrue(query);
            SinceWindowStart().Replace(query, "").ShouldNotContain("unrolledgan_job_duration_seconds", Case.Sensitive, query);
        }
    }

    [Theory]
    [InlineData("(increase(a_bucket{x=\"1\"}[$window]) and a_bucket{x=\"1\"} offset $window) or a_bucket{x=\"1\"}", true)]
    [InlineData("(increase(a_bucket{x=\"1\"}[$window]) and a_bucket{x=\"2\"} offset $window) or a_bucket{x=\"1\"}", false)]
    [InlineData("(increase(a_bucket{x=\"1\"}[$window]) and a_bucket{x=\"1\"} offset 5m) or a_bucket{x=\"1\"}", false)]
    [InlineData("rate(a_bucket{x=\"1\"}[$window])", false)]
    public void TheBornInsideTheWindowFormNamesOneSeriesAndOneWindowThroughout(string query, bool matches)
    {
        SinceWindowStart().IsMatch(query).ShouldBe(matches);
    }

    [Fact]
    public void TheSweepCountsAreFailedJobsRetriesAndSuccesses()
    {
        var names = _dashboard.MetricNames;

        names.ShouldContain("unrolledgan_jobs_succeeded_total");
        names.ShouldContain("unrolledgan_jobs_failed_total");
        names.ShouldContain("unrolledgan_job_retries_total");
    }

    [Fact]
    public void EveryPanelHasAQueryAndFitsTheGrid()
    {
        Charts.Count().ShouldBeGreaterThanOrEqualTo(6);
        Panels.Select(p => p.GetProperty("id").GetInt32()).ShouldBeUnique();
        foreach (var panel in Charts)
        {
            string title = panel.GetProperty("title").GetString()!;
            panel.GetProperty("type").GetString().ShouldBeOneOf("stat", "timeseries", "gauge", "bargauge", "table");
            panel.GetProperty("targets").GetArrayLength().ShouldBeGreaterThan(0, title);
            var grid = panel.GetProperty("gridPos");
            (grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32()).ShouldBeLessThanOrEqualTo(24, title);
        }
        Panels.Where(p => p.GetProperty("type").GetString() == "stat").Select(p => p.GetProperty("title").GetString())
            .ShouldContain(t => t!.Contains("queued"));
    }

    [Fact]
    public void EveryVariableTheDashboardUsesIsDefined()
    {
        var defined = _dashboard.Root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => v.GetProperty("name").GetString()!)
            .ToHashSet();
        var builtIn = new HashSet<string> { "__rate_interval", "__interval", "__range", "__range_s" };
        var used = VariableUse().Matches(_dashboard.Root.GetRawText())
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .Where(v => !builtIn.Contains(v))
            .ToHashSet();

        used.ShouldNotBeEmpty();
        used.Where(v => !defined.Contains(v)).ShouldBeEmpty();
    }

    private static string MetaLabel(string annotation) =>
        "__meta_kubernetes_pod_annotation_" + Regex.Replace(annotation, "[^a-zA-Z0-9_]", "_");

    [GeneratedRegex(@"(?<name>(?:unrolledgan|orleans|dotnet)_[a-z_]+)(\{[^}]*\})?(?<range>\[[^\]]+\])?")]
    private static partial Regex MetricUse();

    [GeneratedRegex(@"histogram_quantile\(\s*([0-9.]+)")]
    private static partial Regex QuantileArgument();

    [GeneratedRegex(@"^histogram_quantile\(\s*0\.\d+,\s*sum by \(le\) \(rate\(\w+_bucket\{[^}]*\}\[[^\]]+\]\)\)\)$")]
    private static partial Regex QuantileOfBuckets();

    [GeneratedRegex(@"\$\{(\w+)\}|\$(\w+)")]
    private static partial Regex VariableUse();

    /// <summary>(increase(S[W]) and S offset W) or S: what series S gained in window W, from zero if born inside it.</summary>
    [GeneratedRegex(@"\(increase\((?<series>\w+\{[^}]*\})\[(?<window>[^\]]+)\]\) and \k<series> offset \k<window>\) or \k<series>")]
    private static partial Regex SinceWindowStart();
}
