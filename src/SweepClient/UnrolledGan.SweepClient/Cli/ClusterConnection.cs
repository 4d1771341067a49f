using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Events;
using UnrolledGan.Hosting;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>A started host that gives a cluster client: a gateway client, or a silo hosted in this process.</summary>
internal sealed class ClusterConnection(IHost host, string description) : IAsyncDisposable
{
    public const string DefaultGateway = "127.0.0.1:30000";

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public string Description => description;

    /// <summary>Connects to a running cluster through its gateway.</summary>
    public static async Task<ClusterConnection> ConnectAsync(string gateway, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddSerilogLogging("client", consoleLevel: LogEventLevel.Fatal);
        builder.AddTelemetry("unrolledgan-client", prometheus: false);
        builder.UseUnrolledGanClient(gateway);
        return await StartAsync(builder, $"cluster at {gateway}", cancellation, problem =>
            $"cannot reach a cluster at {gateway} ({problem}); start a silo (README, \"More silos\") or use `run` without --gateway");
    }

    /// <summary>The embedded default: one silo with localhost clustering inside this process.</summary>
    public static async Task<ClusterConnection> StartEmbeddedAsync(string results, int? slots, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?> { ["Results:Folder"] = results };
        if (slots is { } cpuSlots)
        {
            settings["Workers:CpuSlots"] = cpuSlots.ToString();
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSerilogLogging("run", consoleLevel: LogEventLevel.Warning);
        builder.AddTelemetry("unrolledgan-run", prometheus: false);
        builder.UseUnrolledGanSilo();
        return await StartAsync(builder, "embedded silo", cancellation, problem =>
            $"cannot start the embedded silo ({problem}); if a cluster already runs here, add --gateway {DefaultGateway}");
    }

    private static async Task<ClusterConnection> StartAsync(HostApplicationBuilder builder, string description,
        CancellationToken cancellation, Func<string, string> explain)
    {
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new ClusterUnavailableException(explain(e.Message));
        }
        return new ClusterConnection(host, description);
    }

    /// <summary>Stops the host gracefully: an embedded silo's trainers checkpoint first, so the sweep can resume.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}

internal sealed class ClusterUnavailableException(string message) : Exception(message);
