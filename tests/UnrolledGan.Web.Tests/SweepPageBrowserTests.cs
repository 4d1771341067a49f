using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpenQA.Selenium;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Results;
using UnrolledGan.SweepClient.Tests;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web.Tests;

/// <summary>A real silo process, the real client and Debian's chromium: the sweep page as a user sees it.</summary>
public sealed class SweepPageBrowserTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Test artifacts land beside the test assembly: artifacts/bin/UnrolledGan.Web.Tests/release/screenshots/.</summary>
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private sealed record Cell(string Job, string State, int Unroll, string Step, int Seed, int Column);

    private sealed record Line(int Unroll, string Steps, string Means);

    [Fact]
    public async Task ThePageShowsARealSweepsGridTableAndCurvesFollowsItLiveAndCancelsAnother()
    {
        string work = Directory.CreateTempSubdirectory("unrolledgan-web-").FullName;
        int siloPort = Programs.FreePorts(1), gatewayPort = Programs.FreePorts(1), metricsPort = Programs.FreePorts(1), webPort = Programs.FreePorts(1);
        var environment = new Dictionary<string, string>
        {
            ["Results__Folder"] = Path.Combine(work, "results"),
            ["Cluster__SiloPort"] = siloPort.ToString(),
            ["Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Telemetry__PrometheusPort"] = metricsPort.ToString(),
            ["Dashboard__Port"] = webPort.ToString(),
            // One slot, so jobs wait in the queue while the page is open and change state under its eyes.
            ["Workers__CpuSlots"] = "1",
            ["Workers__Gpus"] = "none",
            ["Workers__PollInterval"] = "00:00:00.500",
            // Where the silo writes its operator token and `open` reads it: this test's own, not the user's.
            ["XDG_RUNTIME_DIR"] = Path.Combine(work, "run"),
        };
        string gateway = $"127.0.0.1:{gatewayPort}", site = $"http://127.0.0.1:{webPort}";
        using var silo = Programs.Start(Programs.Silo, [], environment, work);
        try
        {
            await Programs.WaitForGatewayAsync(gateway, work);
            var submit = await ClientAsync(work, "submit", "--gateway", gateway, "--name", "web", "--unroll", "0,5", "--seeds", "2", "--steps", "600",
                "--set", "snapshotInterval=200", "--set", "logInterval=50");
            submit.ExitCode.ShouldBe(0, submit.Error);
            // `open` prints the page and a login link; the browser follows the link, which lands on the page.
            var open = await ClientAsync(work, "open", "web", "--page", site);
            open.ExitCode.ShouldBe(0, open.Error);
            string[] opened = open.Output.Trim().Split('\n');
            opened[0].ShouldBe($"{site}/sweeps/web");
            opened[1].ShouldStartWith($"log in (once, within 5 minutes): {site}/sweeps/api/login?code=");
            var unknown = await ClientAsync(work, "open", "nope", "--page", site);
            (unknown.ExitCode, unknown.Error.Trim()).ShouldBe((2, $"error: name: no sweep named 'nope' at {site} (see `list`)"));

            using var browser = new Chromium(1280, 2200);
            browser.Driver.Navigate().GoToUrl(opened[1][opened[1].IndexOf(site, StringComparison.Ordinal)..]);
            browser.Driver.Url.ShouldBe($"{site}/sweeps/web");

            // A cell that is queued or running now turns succeeded without a reload.
            var first = await browser.WaitAsync(() => Cells(browser) is { Count: 4 } cells ? cells : null, PageTimeout, "the 2 × 2 grid");
            var watched = first.FirstOrDefault(c => c.State is "queued" or "running")
                ?? throw new InvalidOperationException("every job finished before the page opened; the sweep is too short to watch");
            long loadedAt = browser.Script<long>("return window.sweepPage.loadedAt");
            await browser.WaitAsync(() => Cells(browser).Single(c => c.Job == watched.Job).State == "succeeded", SweepTimeout, $"{watched.Job} succeed");
            browser.Script<long>("return window.sweepPage.loadedAt").ShouldBe(loadedAt, "the page updated in place");
            browser.Script<long>("return window.sweepPage.updates").ShouldBeGreaterThan(1);
            await browser.WaitAsync(() => browser.Driver.FindElement(By.CssSelector("#phase .badge")).Text == "completed", SweepTimeout, "the sweep complete");

            // The grid: K across, seed down, each job where status --json puts it, with its final step.
            var status = await StatusAsync(work, gateway, "web");
            status.Phase.ShouldBe(SweepPhase.Completed);
            var grid = Cells(browser);
            browser.Script<string>("return [...document.querySelectorAll('#grid thead th[data-unroll]')].map(t => t.textContent).join('|')").ShouldBe("K = 0|K = 5");
            foreach (var job in status.Jobs)
            {
                var cell = grid.Single(c => c.Job == job.Spec.JobId);
                cell.ShouldBe(new Cell(job.Spec.JobId, "succeeded", job.Spec.Unroll, "600", job.Spec.Seed, job.Spec.Unroll == 0 ? 1 : 2));
            }

            // The table: cell for cell what `results` prints, bold where it is bold.
            var results = await ClientAsync(work, "results", "web", "--gateway", gateway);
            results.ExitCode.ShouldBe(0, results.Error);
            // `results` prints the sweep's one-line summary first ("web: completed: 4 of 4 succeeded"), then the table.
            string table = results.Output[..results.Output.IndexOf("written:", StringComparison.Ordinal)];
            var printed = ResultMarkdown.Parse(table[table.IndexOf("mixture-of-gaussians:", StringComparison.Ordinal)..]);
            printed.Rows.Count.ShouldBe(6, "three metrics, each with its p row against K = 0");
            await browser.WaitAsync(() => PageTable(browser) == Render(printed), PageTimeout, "the table `results` prints");
            browser.Driver.FindElement(By.Id("table-caption")).Text.ShouldBe(printed.Caption);
            browser.Script<string>("return [...document.querySelectorAll('#table-files a')].map(a => a.textContent).join(' ')")
                .ShouldBe("table.md table.csv table.json table.tex");

            // The curves: one line per K; the last point of modes covered is the mean over seeds of the jobs' final
            // metric, which is also the table's cell for that K.
            var modes = await browser.WaitAsync(() => Lines(browser, Experiments.Metrics.ModesCovered) is { Count: 2 } lines ? lines : null, PageTimeout, "the modes chart");
            foreach (var line in modes)
            {
                double expected = status.Jobs.Where(j => j.Spec.Unroll == line.Unroll).Average(j => j.Metrics![Experiments.Metrics.ModesCovered]!.Value);
                line.Steps.Split(',').Select(int.Parse).ShouldBe([0, 200, 400, 600]);
                double.Parse(line.Means.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(expected, 1e-9);
                printed.Rows[0][line.Unroll == 0 ? 2 : 3].Text.ShouldStartWith(ResultTableFormats.Format(expected));
            }
            var generatorLoss = Lines(browser, Curves.GeneratorLoss);
            generatorLoss.Select(l => l.Unroll).ShouldBe([0, 5]);
            generatorLoss[0].Steps.Split(',').Length.ShouldBe(12, "a loss every 50 steps");
            browser.Script<long>("return document.querySelectorAll('#curves figure').length").ShouldBe(5, "three metrics and two losses");
            // Every job's density picture loaded.
            await browser.WaitAsync(() => browser.Script<long>("return [...document.querySelectorAll('#densities img')].filter(i => i.complete && i.naturalWidth > 0).length") == 4,
                PageTimeout, "four density pictures");

            string screenshot = browser.SaveScreenshot(Path.Combine(Screenshots, "sweep-page.png"));
            TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {screenshot}");
            TestContext.Current.AddAttachment("screenshot", screenshot);

            await TheCurvesSayWhenAFileIsReadOnlyToItsEndAsync(browser, work, url: opened[0]);
            string token = File.ReadAllText(Path.Combine(work, "run", "unrolledgan", $"web-{webPort}.token")).Trim();
            await FilesStayInsideTheResultsFolderAsync(webPort, work, token);
            await CancelFromThePageAsync(browser, work, gateway, site);

            // The list of sweeps, newest first, with their states and counts.
            browser.Driver.Navigate().GoToUrl($"{site}/sweeps/");
            string listed = await browser.WaitAsync(() => browser.Script<string>("""
                return [...document.querySelectorAll('#sweeps tbody tr')].map(r => [r.dataset.sweep, r.querySelector('.badge').textContent,
                  r.querySelector('.done').textContent.trim(), r.querySelector('.failed').textContent].join(':')).join(' ');
                """) is { Length: > 0 } text ? text : null, PageTimeout, "the list of sweeps");
            listed.ShouldBe("web-cancel:cancelled:2/2:0 web:completed:4/4:0");
        }
        finally
        {
            silo.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// A job whose losses.jsonl grew past what a request reads (logInterval = 1 over many steps): the page draws its
    /// end and says so above the charts.
    /// </summary>
    private static async Task TheCurvesSayWhenAFileIsReadOnlyToItsEndAsync(Chromium browser, string work, string url)
    {
        browser.Script<bool>("return document.getElementById('curves-notice').hidden").ShouldBeTrue();
        string job = Directory.GetDirectories(Path.Combine(work, "results", "web", "jobs")).Order().First();
        using (var losses = File.AppendText(Path.Combine(job, "losses.jsonl")))
        {
            for (int step = 601; step <= 10_600; step++)
            {
                losses.WriteLine($"{{\"step\":{step},\"generator\":-0.7,\"discriminator\":1.3}}");
            }
        }
        browser.Driver.Navigate().GoToUrl(url);
        string notice = await browser.WaitAsync(() => browser.Driver.FindElement(By.Id("curves-notice")) is { Displayed: true } shown ? shown.Text : null,
            PageTimeout, "the notice over the curves");
        notice.ShouldStartWith($"{Path.GetFileName(job)}: losses.jsonl is ");
        notice.ShouldContain("the curves show its last 256 KiB, from step ");
    }

    /// <summary>The page's file links serve the results; no spelling of a path reaches a file outside them.</summary>
    private static async Task FilesStayInsideTheResultsFolderAsync(int port, string work, string token)
    {
        (await GetAsync(port, "/sweeps/files/web/table.csv", token)).ShouldEndWith(File.ReadAllText(Path.Combine(work, "results", "web", "table.csv")));
        File.WriteAllText(Path.Combine(work, "secret.json"), "{\"secret\": 42}");
        string[] attempts =
        [
            "/sweeps/files/web/..%2F..%2Fsecret.json",
            "/sweeps/files/web/%2e%2e%2f%2e%2e%2fsecret.json",
            "/sweeps/files/%2e%2e/secret.json",
            "/sweeps/files/web/jobs/..%2F..%2F..%2F/secret.json",
            "/sweeps/files/web/jobs/%2e%2e/%2e%2e/%2e%2e/secret.json",
            $"/sweeps/files/web/jobs/{Uri.EscapeDataString(work)}/secret.json",
            $"/sweeps/files/{Uri.EscapeDataString(Path.Combine(work, "secret.json"))}/x.json",
            "/sweeps/files/web/../../../secret.json",
            "/sweeps/files/.state/sweep.json",
        ];
        foreach (string path in attempts)
        {
            (await GetAsync(port, path, token)).ShouldNotContain("\"secret\": 42", customMessage: path);
        }
        string checkpoint = $"/sweeps/files/web/jobs/{Path.GetFileName(Directory.GetDirectories(Path.Combine(work, "results", "web", "jobs"))[0])}/checkpoint.bin";
        (await GetAsync(port, checkpoint, token)).ShouldStartWith("HTTP/1.1 404");
    }

    /// <summary>A long sweep, cancelled with the page's button: its running cell turns cancelled live, and the cluster agrees.</summary>
    private static async Task CancelFromThePageAsync(Chromium browser, string work, string gateway, string site)
    {
        var submit = await ClientAsync(work, "submit", "--gateway", gateway, "--name", "web-cancel", "--unroll", "10", "--seeds", "2", "--steps", "100000");
        submit.ExitCode.ShouldBe(0, submit.Error);
        browser.Driver.Navigate().GoToUrl($"{site}/sweeps/web-cancel");
        await browser.WaitAsync(() => Cells(browser).Any(c => c.State == "running"), SweepTimeout, "a running job");
        // A request without the session or a token (anyone on this machine) is refused; so is one from the page's own
        // session without its header, as a cross-site form would send it.
        using (var http = new HttpClient())
        {
            var forged = await http.PostAsync($"{site}/sweeps/api/sweeps/web-cancel/cancel", new FormUrlEncodedContent([]), TestContext.Current.CancellationToken);
            ((int)forged.StatusCode).ShouldBe(401);
        }
        browser.Script<long>("return fetch('/sweeps/api/sweeps/web-cancel/cancel', { method: 'POST' }).then(r => r.status)").ShouldBe(400);
        browser.Driver.FindElement(By.Id("cancel")).Click();
        browser.Driver.SwitchTo().Alert().Accept();
        await browser.WaitAsync(() => Cells(browser).All(c => c.State == "cancelled"), PageTimeout, "every job cancelled");
        browser.Driver.FindElement(By.CssSelector("#phase .badge")).Text.ShouldBe("cancelled");
        (await StatusAsync(work, gateway, "web-cancel")).Phase.ShouldBe(SweepPhase.Cancelled);
    }

    private static IReadOnlyList<Cell> Cells(Chromium browser) => JsonSerializer.Deserialize<Cell[]>(browser.Script<string>("""
        return JSON.stringify([...document.querySelectorAll('#grid td.cell[data-job]')].map(c => ({
          job: c.dataset.job, state: c.dataset.state, unroll: +c.dataset.unroll, step: c.dataset.step,
          seed: +c.parentElement.dataset.seed, column: c.cellIndex })));
        """), Json)!;

    private static IReadOnlyList<Line> Lines(Chromium browser, string key) => JsonSerializer.Deserialize<Line[]>(browser.Script<string>("""
        return JSON.stringify([...document.querySelectorAll(`#curves svg[data-key="${arguments[0]}"] polyline.line`)].map(l => ({
          unroll: +l.dataset.unroll, steps: l.dataset.steps, means: l.dataset.means })));
        """, key), Json)!;

    /// <summary>The page's table, one line per row, bold cells in Markdown's stars.</summary>
    private static string PageTable(Chromium browser) => browser.Script<string>("""
        return [...document.querySelectorAll('#results tbody tr')].map(r => [...r.cells].map(c =>
          c.querySelector('strong') ? `**${c.textContent}**` : c.textContent).join(' | ')).join('\n');
        """);

    private static string Render(RenderedTable table) =>
        string.Join("\n", table.Rows.Select(r => string.Join(" | ", r.Select(c => c.Bold ? $"**{c.Text}**" : c.Text))));

    /// <summary>A GET written byte for byte, so no client library normalizes the path before the silo sees it.</summary>
    private static async Task<string> GetAsync(int port, string path, string token)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    private static Task<(int ExitCode, string Output, string Error)> ClientAsync(string work, params string[] arguments) =>
        Programs.RunClientAsync(arguments, new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = Path.Combine(work, "run") }, work, TimeSpan.FromMinutes(1));

    private static async Task<SweepStatus> StatusAsync(string work, string gateway, string name)
    {
        var result = await ClientAsync(work, "status", name, "--json", "--gateway", gateway);
        result.ExitCode.ShouldBe(0, result.Error);
        return JsonSerializer.Deserialize<SweepStatus>(result.Output, Json)!;
    }
}
