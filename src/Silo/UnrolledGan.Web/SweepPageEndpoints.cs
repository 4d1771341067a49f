using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web;

public static class SweepPageEndpoints
{
    public const string BasePath = "/sweeps";

    /// <summary>A cross-site form cannot set this header, so a page elsewhere cannot act through the user's browser.</summary>
    public const string ActionHeader = "X-Requested-By";

    private static readonly TimeSpan LivePeriod = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan IdlePeriod = TimeSpan.FromSeconds(5);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Maps the list of sweeps at /sweeps/, one sweep's page at /sweeps/{name}, their JSON API, the results' files and
    /// the login link. Every route but the login link needs what the fallback policy asks (the operator); the actions
    /// (cancel, and asking for a login link) also need <see cref="ActionHeader"/>.
    /// </summary>
    public static RouteGroupBuilder MapSweepPages(this IEndpointRouteBuilder app)
    {
        var views = new SweepViews();
        var assets = new PageAssets();
        var all = app.MapGroup(BasePath);
        all.MapGet("/", (HttpContext http) => Asset(http, assets, "index.html"));
        all.MapGet("/{name}", (HttpContext http, string name) => ResultFiles.IsPlainName(name) ? Asset(http, assets, "sweep.html") : Results.NotFound());
        all.MapGet("/assets/{file}", (HttpContext http, string file) => Asset(http, assets, file));
        // Under /api, so that no sweep's name (a page at /sweeps/{name}) can shadow it.
        all.MapGet("/api/login", LogIn).AllowAnonymous();

        var api = all.MapGroup("/api/sweeps");
        api.MapGet("/", async (IGrainFactory grains) => Results.Json(await ListAsync(grains, views), Json));
        api.MapGet("/{name}", async (IGrainFactory grains, string name) =>
            await StatusAsync(grains, name) is { } status ? Results.Json(views.View(status), Json) : NoSweep(name));
        api.MapGet("/{name}/events", async (IGrainFactory grains, string name, HttpContext http) =>
            await StatusAsync(grains, name) is null ? NoSweep(name) : TypedResults.ServerSentEvents(LiveAsync(grains, views, name, http.RequestAborted), "status"));
        api.MapGet("/{name}/results", async (IGrainFactory grains, string name) =>
            ResultFiles.IsPlainName(name) && await grains.GetGrain<ISweepGrain>(name).GetResultsAsync() is { } results
                ? Results.Json(ResultsView.From(name, results), Json)
                : NoSweep(name));
        api.MapGet("/{name}/curves", async (IGrainFactory grains, IOptions<ResultsOptions> folders, string name) =>
            await StatusAsync(grains, name) is { } status
                ? Results.Json(Curves.View(views.ExperimentOf(status), status.Jobs.Select(j => j.Spec).ToArray(),
                    ContainedFile.RealPath(folders.Value.Folder) is { } root ? Path.Combine(root, name) : null), Json)
                : NoSweep(name));

        all.MapGet("/files/{name}/{file}", (IOptions<ResultsOptions> folders, string name, string file) => File(folders.Value, name, null, file));
        all.MapGet("/files/{name}/jobs/{job}/{file}", (IOptions<ResultsOptions> folders, string name, string job, string file) =>
            File(folders.Value, name, job, file));

        var actions = all.MapGroup("/api").AddEndpointFilter(RequireActionHeader);
        actions.MapPost("/sweeps/{name}/cancel", async (IGrainFactory grains, string name) =>
        {
            if (await StatusAsync(grains, name) is null)
            {
                return NoSweep(name);
            }
            var sweep = grains.GetGrain<ISweepGrain>(name);
            await sweep.CancelAsync();
            return Results.Json(views.View((await sweep.GetStatusAsync())!), Json);
        });
        actions.MapPost("/logins", (WebLogins logins, LoginRequest request) =>
        {
            if (!WebLogins.IsLandingPage(request.Page))
            {
                return Results.Problem($"page: '{request.Page}' is not {BasePath}/, {BasePath}/<sweep> or /dashboard/", statusCode: StatusCodes.Status400BadRequest);
            }
            var (code, expiresAt) = logins.Issue(request.Page!);
            return Results.Json(new LoginLink($"{BasePath}/api/login?code={code}", expiresAt), Json);
        });

        return all;
    }

    /// <summary>Follows a login link: once, within its lifetime, it sets the session cookie and goes on to its page.</summary>
    private static IResult LogIn(HttpContext http, WebLogins logins, string? code)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (logins.Redeem(code) is not { } page)
        {
            return Results.Text("This login link has expired or was used already; `UnrolledGan.SweepClient open <sweep>` prints a new one.\n",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }
        var (session, expiresAt) = logins.NewSession();
        http.Response.Cookies.Append(WebLogins.CookieName(http.Connection.LocalPort), session, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/", Expires = expiresAt, Secure = http.Request.IsHttps,
        });
        return Results.Redirect(page);
    }

    private static async ValueTask<object?> RequireActionHeader(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.Headers.ContainsKey(ActionHeader)
            ? await next(context)
            : Results.Problem($"{ActionHeader}: this header is required; cross-site requests are refused", statusCode: StatusCodes.Status400BadRequest);

    private static async Task<IReadOnlyList<SweepSummary>> ListAsync(IGrainFactory grains, SweepViews views)
    {
        var entries = await grains.GetGrain<ISweepCatalogGrain>(0).ListAsync();
        var statuses = await Task.WhenAll(entries.Select(e => grains.GetGrain<ISweepGrain>(e.Name).GetStatusAsync()));
        return statuses.OfType<SweepStatus>().Select(views.Summary).ToArray();
    }

    /// <summary>The sweep's status; null for a name that is not a sweep's, without activating a grain for a malformed one.</summary>
    private static async Task<SweepStatus?> StatusAsync(IGrainFactory grains, string name) =>
        ResultFiles.IsPlainName(name) ? await grains.GetGrain<ISweepGrain>(name).GetStatusAsync() : null;

    /// <summary>The sweep's view each time it changes: polled twice a second while it runs (progress arrives once a second).</summary>
    private static async IAsyncEnumerable<string> LiveAsync(IGrainFactory grains, SweepViews views, string name,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var sweep = grains.GetGrain<ISweepGrain>(name);
        string last = "";
        while (!cancellation.IsCancellationRequested)
        {
            var status = await sweep.GetStatusAsync();
            if (status is null)
            {
                yield break;
            }
            string json = JsonSerializer.Serialize(views.View(status), Json);
            if (json != last)
            {
                last = json;
                yield return json;
            }
            try
            {
                await Task.Delay(status.Phase == SweepPhase.Running ? LivePeriod : IdlePeriod, cancellation);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static IResult File(ResultsOptions folders, string sweep, string? job, string file) =>
        ResultFiles.Open(folders.Folder, sweep, job, file) is { } found
            ? Results.Stream(found.Stream, found.ContentType, lastModified: found.LastModified)
            : Results.NotFound();

    private static IResult Asset(HttpContext http, PageAssets assets, string name)
    {
        if (assets.Find(name) is not { } asset)
        {
            return Results.NotFound();
        }
        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        return http.Request.Headers.IfNoneMatch == asset.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static IResult NoSweep(string name) => Results.Problem($"name: no sweep named '{name}'", statusCode: StatusCodes.Status404NotFound);
}

/// <summary>What `open` asks for: a login link that lands on this page.</summary>
public sealed record LoginRequest(string? Page);

/// <summary>A one-time login link (a path on this silo) and when it stops working.</summary>
public sealed record LoginLink(string Url, DateTimeOffset ExpiresAt);

/// <summary>A link to one of the results' files.</summary>
public sealed record FileLink(string Name, string Url);

/// <summary>The table so far as `results` prints it (and its Markdown), with links to the files written beside it.</summary>
public sealed record ResultsView(RenderedTable Table, string Markdown, IReadOnlyList<FileLink> Files)
{
    public static ResultsView From(string sweep, SweepResults results) => new(
        ResultMarkdown.Parse(results.Markdown),
        results.Markdown,
        results.Files.Select(Path.GetFileName).OfType<string>()
            .Select(f => new FileLink(f, $"{SweepPageEndpoints.BasePath}/files/{Uri.EscapeDataString(sweep)}/{Uri.EscapeDataString(f)}"))
            .ToArray());
}
