using UnrolledGan.ServiceDefaults;
using Microsoft.Extensions.Hosting;

namespace UnrolledGan.Client;

public static class ClientHosting
{
    /// <summary>
    /// A client of a running cluster through its gateways, over the cluster's mutual TLS when credentials are given.
    /// It gives up after a few tries with a clear error, so a command never hangs when no cluster is there.
    /// </summary>
    public static IHostApplicationBuilder UseUnrolledGanClient(this IHostApplicationBuilder builder, IReadOnlyList<System.Net.IPEndPoint> gateways,
        string clusterId, string serviceId, ClusterCredentials? credentials, int connectionAttempts = 4)
    {
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateways.ToArray());
            if (credentials is not null)
            {
                client.UseTls(credentials.Configure);
            }
            int attempts = 0;
            client.UseConnectionRetryFilter(async (_, cancellation) =>
            {
                if (++attempts > connectionAttempts)
                {
                    return false;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                return true;
            });
            client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
            client.AddActivityPropagation();
        });
        return builder;
    }
}
