using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnrolledGan.Grains;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// Issue 18's attacks on the silo's web side, each against a real silo process: a local user or a web page acting on
/// a sweep, DNS rebinding, a port reached under another port's Host header, the token Prometheus holds used as an
/// operator's, and a file linked out of its job's folder.
/// </summary>
public sealed class WebAuthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static string Folder() => Directory.CreateTempSubdirectory("unrolledgan-webauth-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnyoneOnThisMachineCanNeitherCancelASweepNorReadItWithoutTheOperatorToken()
    {
        string work = Folder();
        var settings = SiloProcess.Isolated(work);
        int web = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Workers__PollInterval"] = "00:00:00.500";
        var client = Client(settings);
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        var job = await RunningJobAsync(client, "long");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };

        // A cross-site page's request, or anyone's curl: any X-Requested-By, a forged Origin, no token.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/sweeps/api/sweeps/long/cancel")
        {
            Headers = { { "X-Requested-By", "anything" }, { "Origin", "http://evil.example" } },
        };
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
    }

    [Fact]
    public async Task ARequestForAnotherHostNameIsRefusedAsDnsRebindingWouldSendIt()
    {
        var settings = SiloProcess.Isolated(Folder());
        int web = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        using var http = new HttpClient();

        // A page at http://evil.example:<port>/ whose name now resolves to 127.0.0.1 sends its own name as the Host.
        var answers = new List<string>();
        foreach (var (port, path) in new[] { (web, "/sweeps/api/sweeps/"), (web, "/dashboard/"), (metrics, "/metrics") })
        {
            using var rebound = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}") { Headers = { Host = $"evil.example:{port}" } };
            answers.Add($"{path} {(int)(await http.SendAsync(rebound, Cancel)).StatusCode}");
        }

        answers.ShouldBe(["/sweeps/api/sweeps/ 400", "/dashboard/ 400", "/metrics 400"]);
    }

    [Fact]
    public async Task EachPortServesOnlyItsOwnEndpointsWhateverTheHostHeaderSays()
    {
        var settings = SiloProcess.Isolated(Folder());
        int web = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Telemetry__PrometheusPort"] = metrics.ToString();
        settings["Access__Token"] = "operator-token";
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        using var http = new HttpClient();

        async Task<int> GetAsync(int port, string path, string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}")
            {
                Headers = { Host = host, Authorization = new("Bearer", "operator-token") },
            };
            return (int)(await http.SendAsync(request, Cancel)).StatusCode;
        }

        // The metrics port (the one Kubernetes exposes to Prometheus) asked for the web port's endpoints by its Host,
        // and the other way round; then each on its own port.
        string[] answers =
        [
            $"metrics port /sweeps/api/sweeps/ {await GetAsync(metrics, "/sweeps/api/sweeps/", $"127.0.0.1:{web}")}",
            $"metrics port /dashboard/ {await GetAsync(metrics, "/dashboard/", $"127.0.0.1:{web}")}",
            $"web port /metrics {await GetAsync(web, "/metrics", $"127.0.0.1:{metrics}")}",
            $"web port /sweeps/api/sweeps/ {await GetAsync(web, "/sweeps/api/sweeps/", $"127.0.0.1:{web}")}",
            $"metrics port /metrics {await GetAsync(metrics, "/metrics", $"127.0.0.1:{metrics}")}",
        ];

        answers.ShouldBe(
        [
            "metrics port /sweeps/api/sweeps/ 404", "metrics port /dashboard/ 404", "web port /metrics 404",
            "web port /sweeps/api/sweeps/ 200", "metrics port /metrics 200",
        ]);
    }

    [Fact]
    public async Task AFileLinkedOutOfItsJobsFolderIsNotServed()
    {
        string work = Folder();
        var settings = SiloProcess.Isolated(work);
        int web = SiloProcess.FreePort();
        settings["Dashboard__Port"] = web.ToString();
        settings["Workers__PollInterval"] = "00:00:00.500";
        settings["Access__Token"] = "operator-token";
        var client = Client(settings);
        await using var silo = SiloProcess.Start(settings);
        await silo.WaitUntilReadyAsync(Timeout);
        string job = await RunningJobAsync(client, "linked");
        string secret = Path.Combine(work, "secret.json");
        File.WriteAllText(secret, "{\"secret\": 42}");
        string sweepFolder = Path.Combine(settings["Results__Folder"], "linked");
        File.CreateSymbolicLink(Path.Combine(sweepFolder, "jobs", job, "stolen.json"), secret);
        File.CreateSymbolicLink(Path.Combine(sweepFolder, "table.json"), secret);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "operator-token");

        var answers = new List<string>();
        foreach (string path in new[] { $"jobs/{job}/stolen.json", "table.json", $"jobs/{job}/config.json" })
        {
            var response = await http.GetAsync($"/sweeps/files/linked/{path}", Cancel);
            string body = await response.Content.ReadAsStringAsync(Cancel);
            answers.Add($"{path.Replace(job, "<job>")} {(int)response.StatusCode}{(body.Contains("\"secret\": 42") ? " with the secret" : "")}");
        }

        answers.ShouldBe(["jobs/<job>/stolen.json 404", "table.json 404", "jobs/<job>/config.json 200"]);
    }

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
}
