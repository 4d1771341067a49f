using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using UnrolledGan.Grains;

namespace UnrolledGan.Hosting;

public static class SiloHosting
{
    /// <summary>An Orleans silo that runs sweeps: clustering from the "Cluster" section, trace propagation, orchestration.</summary>
    public static IHostApplicationBuilder UseUnrolledGanSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        var cluster = ClusteringOptions.From(builder.Configuration);
        Validate(cluster);
        // Trainers get Workers:ShutdownGrace to checkpoint; the host must wait that long, and for Orleans after it.
        var grace = builder.Configuration.GetValue<TimeSpan?>("Workers:ShutdownGrace") ?? TimeSpan.FromSeconds(30);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = grace + TimeSpan.FromSeconds(30));
        builder.UseOrleans(silo =>
        {
            if (string.IsNullOrWhiteSpace(cluster.PrimarySiloEndpoint))
            {
                var primary = cluster.Instance == 0 ? null : new IPEndPoint(IPAddress.Loopback, cluster.SiloPort);
                silo.UseLocalhostClustering(cluster.InstanceSiloPort, cluster.InstanceGatewayPort, primary, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                silo.UseDevelopmentClustering(ResolveEndpoint(cluster.PrimarySiloEndpoint));
                silo.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = string.IsNullOrWhiteSpace(cluster.AdvertisedAddress)
                        ? Dns.GetHostAddresses(Dns.GetHostName()).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                        : IPAddress.Parse(cluster.AdvertisedAddress);
                    o.SiloPort = cluster.InstanceSiloPort;
                    o.GatewayPort = cluster.InstanceGatewayPort;
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.InstanceSiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.InstanceGatewayPort);
                });
            }
            if (!string.IsNullOrWhiteSpace(cluster.SiloName))
            {
                silo.Configure<SiloOptions>(o => o.SiloName = cluster.SiloName);
            }
            silo.AddActivityPropagation();
            silo.AddSweepOrchestration();
            configure?.Invoke(silo);
        });
        return builder;
    }

    /// <summary>A client of a running cluster through its gateway(s), "host:port[,host:port]".</summary>
    public static IHostApplicationBuilder UseUnrolledGanClient(this IHostApplicationBuilder builder, string gateways)
    {
        var endpoints = gateways.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ResolveEndpoint).ToArray();
        var cluster = ClusteringOptions.From(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoints);
            // A few tries, then a clear error: a command must not hang when no cluster is there.
            int attempts = 0;
            client.UseConnectionRetryFilter(async (_, cancellation) =>
            {
                if (++attempts > 4)
                {
                    return false;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                return true;
            });
            client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            client.AddActivityPropagation();
        });
        return builder;
    }

    /// <summary>host:port to an endpoint; a DNS name gets a minute to appear (a pod's record is published late).</summary>
    public static IPEndPoint ResolveEndpoint(string hostAndPort)
    {
        int colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort[(colon + 1)..], out int port) || port is < 1 or > 65535)
        {
            throw new OptionsValidationException(hostAndPort, typeof(ClusteringOptions), [$"'{hostAndPort}' is not host:port"]);
        }
        string host = hostAndPort[..colon];
        if (IPAddress.TryParse(host, out var literal))
        {
            return new IPEndPoint(literal, port);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                var address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
                if (address is not null)
                {
                    return new IPEndPoint(address, port);
                }
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new OptionsValidationException(hostAndPort, typeof(ClusteringOptions), [$"'{host}' does not resolve"]);
            }
            Thread.Sleep(TimeSpan.FromSeconds(2));
        }
    }

    private static void Validate(ClusteringOptions cluster)
    {
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(cluster, new(cluster), problems, validateAllProperties: true))
        {
            throw new OptionsValidationException(ClusteringOptions.SectionName, typeof(ClusteringOptions),
                problems.Select(p => $"{ClusteringOptions.SectionName}:{string.Join(",", p.MemberNames)}: {p.ErrorMessage}"));
        }
    }
}
