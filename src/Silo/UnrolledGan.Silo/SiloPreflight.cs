using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Silo;

/// <summary>
/// What must hold before a silo joins: nothing it serves beyond loopback goes unguarded (cluster ports without TLS,
/// the web side without its tokens); its ports are free (two silos must never share one, and
/// Orleans would not say so); and on PostgreSQL the schema is the one this build needs. Each problem is one line
/// naming the setting, with the exit code the silo should end with.
/// </summary>
internal static class SiloPreflight
{
    public static async Task<IReadOnlyList<(string Message, int ExitCode)>> ProblemsAsync(IServiceProvider services)
    {
        var cluster = services.GetRequiredService<IOptions<ClusteringOptions>>().Value;
        var configuration = services.GetRequiredService<IConfiguration>();
        bool tls = services.GetService<ClusterCredentials>() is not null;
        var address = cluster.ResolveAddress(tls);
        if (!IPAddress.IsLoopback(address) && !tls && !cluster.Insecure)
        {
            return [($"Cluster:Address {address} is not loopback and the cluster has no TLS: for silos on this machine only, " +
                "leave Cluster:Address out (or give --Cluster:Address=127.0.0.1); across hosts, give Tls:CertificateFile, Tls:KeyFile and " +
                "Tls:CaFile (make them with `UnrolledGan.Silo certs`), or --Cluster:Insecure=true to run unprotected", ExitCodes.BadInput)];
        }
        if (configuration.AccessProblem() is { } access)
        {
            return [(access, ExitCodes.BadInput)];
        }
        var problems = new List<(string, int)>();
        void CheckPort(IPAddress on, int port, string setting)
        {
            if (port > 0 && !IsFree(on, port))
            {
                problems.Add(($"port {port} on {on} is already in use (another silo?); move it with {setting}, or give this silo another --Cluster:Instance",
                    ExitCodes.Failed));
            }
        }
        CheckPort(address, cluster.InstanceSiloPort, "--Cluster:SiloPort");
        CheckPort(address, cluster.InstanceGatewayPort, "--Cluster:GatewayPort");
        var dashboard = configuration.DashboardOptions();
        if (dashboard.Port > 0 && IPAddress.TryParse(dashboard.Host, out var dashboardHost))
        {
            CheckPort(dashboardHost, dashboard.Port + cluster.Instance, "--Dashboard:Port (0 turns it off)");
        }
        var telemetry = configuration.TelemetryOptions();
        if (telemetry.PrometheusPort > 0 && IPAddress.TryParse(telemetry.PrometheusHost, out var metricsHost))
        {
            CheckPort(metricsHost, telemetry.PrometheusPort + cluster.Instance, "--Telemetry:PrometheusPort (0 turns it off)");
        }
        if (problems.Count == 0 && cluster.Provider == ClusterProvider.Postgres)
        {
            string? schema = await SchemaProblemAsync(services.GetRequiredService<NpgsqlDataSource>());
            if (schema is not null)
            {
                problems.Add((schema, ExitCodes.Failed));
            }
        }
        return problems;
    }

    private static async Task<string?> SchemaProblemAsync(NpgsqlDataSource database)
    {
        try
        {
            var state = await SchemaMigrations.Embedded.InspectAsync(database);
            return state.IsCurrent ? null : state.Explain();
        }
        catch (NpgsqlException e)
        {
            return $"cannot reach the database {ClusterDatabase.Describe(database.ConnectionString)}: {e.Message}";
        }
    }

    /// <summary>
    /// Free unless something accepts connections there. A bind test would not do: Orleans' listeners reuse addresses
    /// (a second silo binds beside the first without an error), and a stopped silo's connections in TIME_WAIT refuse
    /// a plain bind for a minute after it stopped.
    /// </summary>
    private static bool IsFree(IPAddress address, int port)
    {
        var target = address.Equals(IPAddress.Any) ? IPAddress.Loopback : address;
        using var client = new TcpClient(target.AddressFamily);
        try
        {
            return !client.ConnectAsync(target, port).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return true;
        }
    }
}
