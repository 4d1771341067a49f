using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>
/// `open name`: the sweep's page, which every silo with a dashboard port serves beside its Orleans Dashboard. The
/// address is printed, with a one-time login link made with the silo's operator token (and that link is opened where
/// a desktop browser is at hand). Both are checked first, so a typo in the name, a silo without its web server or a
/// wrong token gives a clear error rather than a dead link.
/// </summary>
internal static class OpenCommand
{
    /// <summary>The web address of a silo when it is not the one beside the default gateway.</summary>
    public const string PageVariable = "UNROLLEDGAN_PAGE";

    /// <summary>A file holding the operator token of a silo elsewhere (Access:Token or its Secret).</summary>
    public const string TokenFileVariable = "UNROLLEDGAN_ACCESS_TOKEN_FILE";

    /// <summary>Dashboard:Port's default: instance 0's web server; every silo's serves every sweep of the cluster.</summary>
    private const int DefaultWebPort = 8080;

    /// <summary>
    /// Cluster:GatewayPort's default. Silo instance n on a machine takes this + n for its gateway and
    /// <see cref="DefaultWebPort"/> + n for its web server (ClusteringOptions.Instance, at most 100).
    /// </summary>
    private const int DefaultGatewayPort = 30000;
    private const int MaxInstance = 100;

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The sweep's name" };
        var page = new Option<string?>("--page")
        {
            Description = $"Base URL of a silo's web server (default: ${PageVariable}, else the web port of the silo at --gateway: " +
                $"{DefaultWebPort} + n for gateway port {DefaultGatewayPort} + n, the default ports of instance n)",
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = $"A file whose first line is the silo's operator token (default: ${TokenFileVariable}; for a silo on this machine, " +
                $"the token it wrote at start, {OperatorTokenFile.PathFor(DefaultWebPort) ?? $"web-{DefaultWebPort}.token"} for port {DefaultWebPort})",
        };
        var gateway = GatewayOption.ForCluster();
        gateway.Description = $"The cluster's gateway, whose host serves the page (default: ${GatewayOption.Variable}, else {GatewayOption.BuiltIn})";
        var command = new Command("open", "Print the address of a sweep's page and a one-time login link, and open it if a browser is at hand")
        {
            name, page, tokenFile, gateway,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            string root = (parse.GetValue(page) ?? DefaultRoot(parse.GetValue(gateway))).TrimEnd('/');
            if (!Uri.TryCreate(root, UriKind.Absolute, out var rootUri) || rootUri.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"error: page: '{root}' is not an http(s) URL");
                return ExitCodes.BadInput;
            }
            string sweep = parse.GetValue(name)!;
            string? file = parse.GetValue(tokenFile) ?? (Environment.GetEnvironmentVariable(TokenFileVariable) is { Length: > 0 } set ? set : null);
            string? token = file is null ? null : OperatorTokenFile.Read(file);
            if (file is not null && token is null)
            {
                Console.Error.WriteLine($"error: token-file: '{file}' does not exist or is empty");
                return ExitCodes.BadInput;
            }
            // A silo on this machine wrote its token for its port; never send that token to another host.
            if (file is null && rootUri.IsLoopback && OperatorTokenFile.PathFor(rootUri.Port) is { } own)
            {
                (file, token) = (own, OperatorTokenFile.Read(own));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                return await OpenAsync(http, root, sweep, file, token, cancellation);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Console.Error.WriteLine($"error: cannot reach the sweep page at {root} ({e.Message}); a silo serves it when Dashboard:Port is not 0, or pass --page");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static async Task<int> OpenAsync(HttpClient http, string root, string sweep, string? file, string? token, CancellationToken cancellation)
    {
        string url = PageUrl(root, sweep);
        using var check = Request(HttpMethod.Get, $"{root}/sweeps/api/sweeps/{Uri.EscapeDataString(sweep)}", token);
        using var answer = await http.SendAsync(check, cancellation);
        switch (answer.StatusCode)
        {
            case HttpStatusCode.NotFound:
                Console.Error.WriteLine($"error: name: no sweep named '{sweep}' at {root} (see `list`)");
                return ExitCodes.BadInput;
            case HttpStatusCode.Unauthorized when token is null:
                Console.WriteLine(url);
                Console.Error.WriteLine("The page asks for the silo's operator token (any user name, the token as password). " +
                    (file is null ? $"For a login link, pass --token-file (or set ${TokenFileVariable})." : $"No login link: {file} holds no token."));
                TryOpenBrowser(url);
                return ExitCodes.Success;
            case HttpStatusCode.Unauthorized:
                Console.Error.WriteLine($"error: token-file: the silo at {root} refused the token in {file} (a silo makes a new one at each start)");
                return ExitCodes.BadInput;
            case HttpStatusCode.Forbidden:
                Console.Error.WriteLine($"error: token-file: the token in {file} opens /metrics only; the page needs the operator token");
                return ExitCodes.BadInput;
            case not HttpStatusCode.OK:
                Console.Error.WriteLine($"error: the sweep page at {root} answered {(int)answer.StatusCode} {answer.ReasonPhrase}: {await Text(answer, cancellation)}");
                return ExitCodes.Failed;
        }
        if (token is null)
        {
            // A silo that serves its page without a token: one from before issue 18.
            Console.WriteLine(url);
            TryOpenBrowser(url);
            return ExitCodes.Success;
        }
        if (await AskLoginAsync(http, root, sweep, token, cancellation) is not { } login)
        {
            Console.Error.WriteLine($"error: the sweep page at {root} gave no login link");
            return ExitCodes.Failed;
        }
        Console.WriteLine(url);
        Console.WriteLine(login.Line);
        TryOpenBrowser(login.Link);
        return ExitCodes.Success;
    }

    /// <summary>
    /// For `run`: a login line for the sweep's page when its silo is on this machine and wrote its token for the
    /// page's port (the embedded silo does); null otherwise, or when the silo does not answer within a few seconds.
    /// </summary>
    public static async Task<string?> LoginLineAsync(string root, string sweep, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(root, UriKind.Absolute, out var rootUri) || !rootUri.IsLoopback
            || OperatorTokenFile.PathFor(rootUri.Port) is not { } file || OperatorTokenFile.Read(file) is not { } token)
        {
            return null;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            return (await AskLoginAsync(http, root.TrimEnd('/'), sweep, token, cancellation))?.Line;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A one-time login link to the sweep's page, and the line that prints it; null if the silo gives none.</summary>
    private static async Task<(string Link, string Line)?> AskLoginAsync(HttpClient http, string root, string sweep, string token, CancellationToken cancellation)
    {
        using var ask = Request(HttpMethod.Post, $"{root}/sweeps/api/logins", token);
        ask.Content = JsonContent.Create(new { page = new Uri(PageUrl(root, sweep)).AbsolutePath });
        using var issued = await http.SendAsync(ask, cancellation);
        if (!issued.IsSuccessStatusCode || await issued.Content.ReadFromJsonAsync<LoginLink>(cancellation) is not { Url: ['/', ..] } login)
        {
            return null;
        }
        string link = root + login.Url;
        return (link, $"log in (once, within {(login.ExpiresAt - DateTimeOffset.UtcNow).TotalMinutes:0} minutes): {link}");
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? token)
    {
        var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        // The silo's actions refuse requests without it, as a cross-site form would send them.
        request.Headers.Add("X-Requested-By", "UnrolledGan.SweepClient");
        return request;
    }

    private static async Task<string> Text(HttpResponseMessage response, CancellationToken cancellation)
    {
        string text = (await response.Content.ReadAsStringAsync(cancellation)).Trim();
        return text.Length > 200 ? text[..200] + "…" : text;
    }

    private sealed record LoginLink(string Url, DateTimeOffset ExpiresAt);

    public static string PageUrl(string root, string sweep) => $"{root.TrimEnd('/')}/sweeps/{Uri.EscapeDataString(sweep)}";

    /// <summary>
    /// $UNROLLEDGAN_PAGE, else the web server of the silo behind the (first) gateway: on its host, at the web port of
    /// the instance whose default gateway port it is (30001 is instance 1's, so 8081). Other gateway ports are
    /// taken for instance 0's; a silo on other ports needs --page.
    /// </summary>
    public static string DefaultRoot(string? gateway)
    {
        if (Environment.GetEnvironmentVariable(PageVariable) is { Length: > 0 } configured)
        {
            return configured;
        }
        string first = (gateway ?? GatewayOption.Default).Split(',')[0].Trim();
        int colon = first.LastIndexOf(':');
        int instance = colon > 0 && int.TryParse(first[(colon + 1)..], out int port) && port - DefaultGatewayPort is >= 0 and <= MaxInstance
            ? port - DefaultGatewayPort
            : 0;
        return $"http://{(colon > 0 ? first[..colon] : first)}:{DefaultWebPort + instance}";
    }

    /// <summary>xdg-open where a desktop session exists; on a server the printed address is the answer.</summary>
    private static void TryOpenBrowser(string url)
    {
        bool desktop = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        string? opener = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "xdg-open")).FirstOrDefault(File.Exists);
        if (!desktop || opener is null)
        {
            return;
        }
        try
        {
            var start = new ProcessStartInfo(opener, [url]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            Process.Start(start)?.Dispose();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The address is printed; opening it is a convenience.
        }
    }
}
