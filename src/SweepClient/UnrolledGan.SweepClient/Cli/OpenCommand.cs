using System.CommandLine;
using System.Diagnostics;
using System.Net;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>
/// `open name`: the sweep's page, which every silo with a dashboard port serves beside its Orleans Dashboard. The
/// address is printed (and opened where a desktop browser is at hand); it is checked first, so a typo in the name or
/// a silo without its web server gives a clear error rather than a dead link.
/// </summary>
internal static class OpenCommand
{
    /// <summary>The web address of a silo when it is not the one beside the default gateway.</summary>
    public const string PageVariable = "UNROLLEDGAN_PAGE";

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
        var gateway = GatewayOption.ForCluster();
        gateway.Description = $"The cluster's gateway, whose host serves the page (default: ${GatewayOption.Variable}, else {GatewayOption.BuiltIn})";
        var command = new Command("open", "Print the address of a sweep's page in the browser, and open it if a browser is at hand") { name, page, gateway };
        command.SetAction(async (parse, cancellation) =>
        {
            string root = parse.GetValue(page) ?? DefaultRoot(parse.GetValue(gateway));
            if (!Uri.TryCreate(root, UriKind.Absolute, out var rootUri) || rootUri.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"error: page: '{root}' is not an http(s) URL");
                return ExitCodes.BadInput;
            }
            string sweep = parse.GetValue(name)!;
            string url = PageUrl(root, sweep);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var response = await http.GetAsync($"{root.TrimEnd('/')}/sweeps/api/sweeps/{Uri.EscapeDataString(sweep)}", cancellation);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    Console.Error.WriteLine($"error: name: no sweep named '{sweep}' at {root} (see `list`)");
                    return ExitCodes.BadInput;
                }
                response.EnsureSuccessStatusCode();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Console.Error.WriteLine($"error: cannot reach the sweep page at {root} ({e.Message}); a silo serves it when Dashboard:Port is not 0, or pass --page");
                return ExitCodes.Failed;
            }
            Console.WriteLine(url);
            TryOpenBrowser(url);
            return ExitCodes.Success;
        });
        return command;
    }

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
