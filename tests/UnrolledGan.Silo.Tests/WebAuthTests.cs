using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using UnrolledGan.Grains;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// Issue 18's attacks on the silo's web side, each against a real silo process: a local user or a web page acting on
/// a sweep, DNS rebinding, a port reached under another port's Host header, the token Prometheus holds used as an
/// operator's, and a file linked out of its job's folder. Each failed against the code before the fix (the commit
/// that added them says how), and each test also shows the way in that remains for the token's holder.
/// </summary>
public sealed partial class WebAuthTests
{
    private const string OperatorToken = "operator-token-0123456789abcdef";
    private const string MetricsToken = "metrics-token-0123456789abcdef";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static string Folder() => Directory.CreateTempSubdirectory("unrolledgan-webauth-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A silo's settings with its web port, and its own runtime folder for the token file it writes.</summary>
    private static (Dictionary<string, string> Settings, int Web) WebSilo(string work)
    {
        var settings = SiloProcess.Isolated(work);
        int web = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Workers__PollInterval"] = "00:00:00.500";
        settings["XDG_RUNTIME_DIR"] = Path.Combine(work, "run");
        return (settings, web);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task OnlyTheOperatorTokensHolderCanReadOrCancelASweepFromLoopbackAndOnlyFromThePagesOrigin()
    {
        string work = Folder();
        var (settings, web) = WebSilo(work);
        var client = Client(settings);
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        var job = await RunningJobAsync(client, "long");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{web}"),
        };

        // Anyone on this machine, or a cross-site page: any X-Requested-By, a forged Origin, no token. Before the fix
        // the cancel answered 200 and killed the trainer, and every read below answered 200.
        using var forged = Post("/sweeps/api/sweeps/long/cancel", origin: "http://evil.example");
        var answers = new List<string> { $"POST cancel {(int)(await http.SendAsync(forged, Cancel)).StatusCode}" };
        answers.Add($"sweep {(await StatusAsync(client, "long")).Phase}");
        var reads = new[]
        {
            "/sweeps/", "/sweeps/long", "/sweeps/api/sweeps/", "/sweeps/api/sweeps/long", "/sweeps/api/sweeps/long/curves",
            $"/sweeps/files/long/jobs/{job}/config.json", "/dashboard/",
        };
        foreach (string path in reads)
        {
            answers.Add($"GET {path} {(int)(await http.GetAsync(path, Cancel)).StatusCode}");
        }
        answers.ShouldBe(["POST cancel 401", "sweep Running", .. reads.Select(path => $"GET {path} 401")]);

        // The silo made a token at start, in a file only its user can read, and says where.
        string file = ReportedTokenFile().Match(silo.Output).Groups["file"].Value;
        file.ShouldBe(Path.Combine(settings["XDG_RUNTIME_DIR"], "unrolledgan", $"web-{web}.token"));
        File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(file)!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string token = File.ReadAllText(file).Trim();
        token.Length.ShouldBeGreaterThanOrEqualTo(32);

        // `open` reads it and prints the page and a login link, which gives a session once. A token that is not the
        // silo's (a file left by an earlier start) is refused in one line.
        var runtime = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = settings["XDG_RUNTIME_DIR"] };
        string stale = Path.Combine(work, "stale-token");
        File.WriteAllText(stale, OperatorToken);
        var refused = await SiloProcess.RunClientAsync(runtime, Timeout, "open", "long", "--page", $"http://127.0.0.1:{web}", "--token-file", stale);
        (refused.ExitCode, refused.Error.Trim()).ShouldBe((2,
            $"error: token-file: the silo at http://127.0.0.1:{web} refused the token in {stale} (a silo makes a new one at each start)"));
        var open = await SiloProcess.RunClientAsync(runtime, Timeout, "open", "long", "--page", $"http://127.0.0.1:{web}");
        open.ExitCode.ShouldBe(0, open.Error);
        string[] printed = open.Output.Trim().Split('\n');
        printed[0].ShouldBe($"http://127.0.0.1:{web}/sweeps/long");
        string link = LoginLine().Match(printed[1]).Groups["link"].Value;
        link.ShouldStartWith($"http://127.0.0.1:{web}/sweeps/api/login?code=");
        var login = await http.GetAsync(link, Cancel);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        login.Headers.Location!.OriginalString.ShouldBe("/sweeps/long");
        string cookie = login.Headers.GetValues("Set-Cookie").Single();
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=lax", Case.Insensitive);
        string session = cookie[..cookie.IndexOf(';')];
        (await http.GetAsync(link, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a login link works once");
        using var withSession = new HttpRequestMessage(HttpMethod.Get, "/sweeps/api/sweeps/long") { Headers = { { "Cookie", session } } };
        (await http.SendAsync(withSession, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Even the session's browser cannot be made to cancel by a page elsewhere: a foreign Origin is refused.
        using var crossSite = Post("/sweeps/api/sweeps/long/cancel", origin: "http://evil.example");
        crossSite.Headers.Add("Cookie", session);
        (await http.SendAsync(crossSite, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var noHeader = new HttpRequestMessage(HttpMethod.Post, "/sweeps/api/sweeps/long/cancel") { Headers = { Authorization = new("Bearer", token) } };
        (await http.SendAsync(noHeader, Cancel)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await StatusAsync(client, "long")).Phase.ShouldBe(SweepPhase.Running);

        // The token's holder, from the page's own origin, cancels.
        using var own = Post("/sweeps/api/sweeps/long/cancel", origin: $"http://127.0.0.1:{web}");
        own.Headers.Authorization = new("Bearer", token);
        (await http.SendAsync(own, Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(client, "long")).Phase.ShouldBe(SweepPhase.Cancelled);
    }

    [Fact]
    public async Task ARequestForAnotherHostNameIsRefusedAsDnsRebindingWouldSendIt()
    {
        var settings = SiloProcess.Isolated(Folder());
        int web = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        settings["Access__Token"] = OperatorToken;
        settings["Access__AllowedHosts"] = "silo-0.example";
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        using var http = new HttpClient();

        async Task<string> AskAsync(int port, string path, string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}")
            {
                Headers = { Host = $"{host}:{port}", Authorization = new("Bearer", OperatorToken) },
            };
            return $"{host} {path} {(int)(await http.SendAsync(request, Cancel)).StatusCode}";
        }

        // A page at http://evil.example:<port>/ whose name now resolves to 127.0.0.1 sends its own name as the Host
        // (before the fix: 200 on all three); loopback's names and the configured one are served.
        string[] answers =
        [
            await AskAsync(web, "/sweeps/api/sweeps/", "evil.example"), await AskAsync(web, "/dashboard/", "evil.example"),
            await AskAsync(metrics, "/metrics", "evil.example"),
            await AskAsync(web, "/sweeps/api/sweeps/", "localhost"), await AskAsync(web, "/sweeps/api/sweeps/", "silo-0.example"),
            await AskAsync(metrics, "/metrics", "127.0.0.1"),
        ];

        answers.ShouldBe(
        [
            "evil.example /sweeps/api/sweeps/ 400", "evil.example /dashboard/ 400", "evil.example /metrics 400",
            "localhost /sweeps/api/sweeps/ 200", "silo-0.example /sweeps/api/sweeps/ 200", "127.0.0.1 /metrics 200",
        ]);
    }

    [Fact]
    public async Task TheMetricsPortAndTheMetricsTokenOpenMetricsOnlyWhateverTheHostHeaderSays()
    {
        var settings = SiloProcess.Isolated(Folder());
        int web = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        settings["Access__Token"] = OperatorToken;
        settings["Access__MetricsToken"] = MetricsToken;
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        using var http = new HttpClient();

        async Task<string> AskAsync(HttpMethod method, int port, string path, int hostPort, string? token)
        {
            using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}") { Headers = { Host = $"127.0.0.1:{hostPort}" } };
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }
            if (method == HttpMethod.Post)
            {
                request.Headers.Add("X-Requested-By", "test");
                request.Content = JsonContent.Create(new { page = "/sweeps/" });
            }
            string who = token switch { OperatorToken => "operator", MetricsToken => "metrics", _ => "nobody" };
            return $"{who} {method} {(port == web ? "web" : "metrics")} port {path} {(int)(await http.SendAsync(request, Cancel)).StatusCode}";
        }

        string[] answers =
        [
            // The metrics port (the one Kubernetes lets Prometheus reach) asked for the web port's endpoints by its
            // Host, and the other way round: before the fix, 200 each (routes were matched on the Host header).
            await AskAsync(HttpMethod.Get, metrics, "/sweeps/api/sweeps/", web, OperatorToken),
            await AskAsync(HttpMethod.Get, metrics, "/dashboard/", web, OperatorToken),
            await AskAsync(HttpMethod.Get, web, "/metrics", metrics, OperatorToken),
            // Prometheus' token opens /metrics and nothing else, on any port.
            await AskAsync(HttpMethod.Get, metrics, "/metrics", metrics, MetricsToken),
            await AskAsync(HttpMethod.Get, web, "/sweeps/api/sweeps/", web, MetricsToken),
            await AskAsync(HttpMethod.Get, web, "/dashboard/", web, MetricsToken),
            await AskAsync(HttpMethod.Post, web, "/sweeps/api/logins", web, MetricsToken),
            await AskAsync(HttpMethod.Get, metrics, "/sweeps/api/sweeps/", web, MetricsToken),
            // The operator's token opens everything on its own port; nobody gets in without one.
            await AskAsync(HttpMethod.Get, web, "/sweeps/api/sweeps/", web, OperatorToken),
            await AskAsync(HttpMethod.Get, metrics, "/metrics", metrics, OperatorToken),
            await AskAsync(HttpMethod.Get, metrics, "/metrics", metrics, null),
        ];

        answers.ShouldBe(
        [
            "operator GET metrics port /sweeps/api/sweeps/ 404", "operator GET metrics port /dashboard/ 404", "operator GET web port /metrics 404",
            "metrics GET metrics port /metrics 200", "metrics GET web port /sweeps/api/sweeps/ 403", "metrics GET web port /dashboard/ 403",
            "metrics POST web port /sweeps/api/logins 403", "metrics GET metrics port /sweeps/api/sweeps/ 404",
            "operator GET web port /sweeps/api/sweeps/ 200", "operator GET metrics port /metrics 200", "nobody GET metrics port /metrics 401",
        ]);
    }

    [Fact]
    public async Task AFileLinkedOutOfItsJobsFolderIsNotServed()
    {
        string work = Folder();
        var (settings, web) = WebSilo(work);
        settings["Access__Token"] = OperatorToken;
        var client = Client(settings);
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        string job = await RunningJobAsync(client, "linked");
        string secret = Path.Combine(work, "secret.json");
        File.WriteAllText(secret, "{\"secret\": 42}");
        string sweepFolder = Path.Combine(settings["Results__Folder"], "linked");
        File.CreateSymbolicLink(Path.Combine(sweepFolder, "jobs", job, "stolen.json"), secret);
        File.CreateSymbolicLink(Path.Combine(sweepFolder, "table.json"), secret);
        // A whole job folder linked elsewhere: its files are right by name, wrong by place.
        Directory.CreateDirectory(Path.Combine(work, "elsewhere"));
        File.WriteAllText(Path.Combine(work, "elsewhere", "result.json"), "{\"secret\": 42}");
        Directory.CreateSymbolicLink(Path.Combine(sweepFolder, "jobs", "k0-x1-s9-00000000"), Path.Combine(work, "elsewhere"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", OperatorToken);

        var answers = new List<string>();
        foreach (string path in new[] { $"jobs/{job}/stolen.json", "table.json", "jobs/k0-x1-s9-00000000/result.json", $"jobs/{job}/config.json" })
        {
            var response = await http.GetAsync($"/sweeps/files/linked/{path}", Cancel);
            string body = await response.Content.ReadAsStringAsync(Cancel);
            answers.Add($"{path.Replace(job, "<job>")} {(int)response.StatusCode}{(body.Contains("\"secret\": 42") ? " with the secret" : "")}");
        }

        // Before the fix, both links were followed: 200 with the secret.
        answers.ShouldBe(["jobs/<job>/stolen.json 404", "table.json 404", "jobs/k0-x1-s9-00000000/result.json 404", "jobs/<job>/config.json 200"]);
    }

    private static HttpRequestMessage Post(string path, string origin) =>
        new(HttpMethod.Post, path) { Headers = { { "X-Requested-By", "anything" }, { "Origin", origin } } };

    private static Dictionary<string, string> Client(Dictionary<string, string> settings) =>
        new() { ["UNROLLEDGAN_GATEWAY"] = $"127.0.0.1:{settings["Cluster__GatewayPort"]}" };

    /// <summary>Submits a sweep of one long job and returns its id once its trainer runs.</summary>
    private static async Task<string> RunningJobAsync(Dictionary<string, string> client, string name)
    {
        var submit = await SiloProcess.RunClientAsync(client, Timeout, "submit", "--name", name, "--unroll", "10", "--seeds", "1", "--steps", "1000000");
        submit.ExitCode.ShouldBe(0, submit.Error);
        var status = await Poll.UntilAsync(() => StatusAsync(client, name), s => s.Progress.Count > 0, Timeout, $"a training job of {name}");
        return status.Progress[0].JobId;
    }

    private static async Task<SweepStatus> StatusAsync(Dictionary<string, string> client, string name)
    {
        var result = await SiloProcess.RunClientAsync(client, Timeout, "status", name, "--json");
        result.ExitCode.ShouldBe(0, result.Error);
        return JsonSerializer.Deserialize<SweepStatus>(result.Output, Json)!;
    }

    [GeneratedRegex(@"^  web access     operator token in (?<file>\S+) \(new at each start\)", RegexOptions.Multiline)]
    private static partial Regex ReportedTokenFile();

    [GeneratedRegex(@"^log in \(once, within 5 minutes\): (?<link>\S+)$")]
    private static partial Regex LoginLine();
}
