using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Events;
using UnrolledGan.Client;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>A started client of a cluster: one reached through its gateways, or the embedded silo this command started.</summary>
internal sealed class ClusterConnection(IHost host, string description, EmbeddedSilo? embedded) : IAsyncDisposable
{
    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public string Description => description;

    /// <summary>The embedded silo's web address, when this command started one.</summary>
    public string? WebUrl => embedded?.WebUrl;

    /// <summary>Connects to a running cluster through its gateway(s); <paramref name="source"/> says where the address came from.</summary>
    public static async Task<ClusterConnection> ConnectAsync(string gateways, string source, CancellationToken cancellation) =>
        await ConnectAsync(gateways, $"cluster at {gateways}", null, cancellation, problem => NoCluster(gateways, source, problem));

    /// <summary>One line: the address tried and why it was that one, then the two ways to get a cluster to answer.</summary>
    public static string NoCluster(string gateways, string source, string problem) =>
        $"cannot reach a cluster at {gateways}, {source} ({problem}); start a silo there (bash scripts/silo.sh), " +
        $"pass --gateway or set ${GatewayOption.Variable} to another, or run the sweep on this machine with `run` (no --gateway)";

    /// <summary>The embedded default: starts a silo on this machine and connects to it.</summary>
    public static async Task<ClusterConnection> StartEmbeddedAsync(string results, int? slots, CancellationToken cancellation)
    {
        var silo = await EmbeddedSilo.StartAsync(results, slots, cancellation);
        try
        {
            return await ConnectAsync(silo.Gateway, "embedded silo", silo, cancellation, problem =>
                $"cannot reach the embedded silo ({problem}); its log is in {silo.Logs}");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    private static async Task<ClusterConnection> ConnectAsync(string gateways, string description, EmbeddedSilo? embedded,
        CancellationToken cancellation, Func<string, string> explain)
    {
        var builder = Host.CreateApplicationBuilder();
        // A client's log belongs to its user, not to whatever folder the command was typed in.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logs:Folder"] = ClientErrors.Folder });
        builder.AddSerilogLogging("client", consoleLevel: LogEventLevel.Fatal);
        builder.AddTelemetry("unrolledgan-client");
        IReadOnlyList<System.Net.IPEndPoint> endpoints;
        try
        {
            endpoints = Gateways.Parse(gateways, TimeSpan.FromMinutes(1));
        }
        catch (GatewayException e)
        {
            throw new ClusterUnavailableException($"--gateway: {e.Message}", badInput: true);
        }
        ClusterCredentials? credentials;
        try
        {
            credentials = ClusterCredentials.Load(ClusterTlsOptions.From(builder.Configuration));
        }
        catch (TlsConfigurationException e)
        {
            throw new ClusterUnavailableException(e.Message, badInput: true);
        }
        builder.UseUnrolledGanClient(endpoints,
            builder.Configuration["Cluster:ClusterId"] ?? "unrolledgan", builder.Configuration["Cluster:ServiceId"] ?? "unrolledgan", credentials);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new ClusterUnavailableException(explain(e.Message.Split('\n', 2)[0].Trim()));
        }
        return new ClusterConnection(host, description, embedded);
    }

    /// <summary>Disconnects; an embedded silo is stopped gracefully, so its trainers checkpoint and the sweep can resume.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }
        }
    }
}

internal sealed class ClusterUnavailableException(string message, bool badInput = false) : Exception(message)
{
    /// <summary>The user gave something unusable (a gateway that is not host:port), rather than no cluster answering.</summary>
    public bool BadInput { get; } = badInput;
}
