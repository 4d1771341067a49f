using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace UnrolledGan.Client;

/// <summary>A cluster's gateways as a user writes them: "host:port[,host:port…]".</summary>
public static class Gateways
{
    /// <summary>The endpoints; a DNS name gets <paramref name="resolveFor"/> to appear (a pod's record is published late).</summary>
    public static IReadOnlyList<IPEndPoint> Parse(string gateways, TimeSpan resolveFor)
    {
        var endpoints = gateways.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(g => Resolve(g, resolveFor))
            .ToArray();
        return endpoints.Length > 0 ? endpoints : throw new GatewayException($"'{gateways}' names no gateway; expected host:port");
    }

    private static IPEndPoint Resolve(string hostAndPort, TimeSpan resolveFor)
    {
        int colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new GatewayException($"'{hostAndPort}' is not host:port (for example 127.0.0.1:30000)");
        }
        string host = hostAndPort[..colon];
        if (IPAddress.TryParse(host, out var literal))
        {
            return new IPEndPoint(literal, port);
        }
        var deadline = DateTime.UtcNow + resolveFor;
        while (true)
        {
            try
            {
                if (Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) is { } address)
                {
                    return new IPEndPoint(address, port);
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (SocketException)
            {
                break;
            }
            if (DateTime.UtcNow >= deadline)
            {
                break;
            }
            Thread.Sleep(TimeSpan.FromSeconds(2));
        }
        throw new GatewayException($"'{host}' does not resolve to an IPv4 address");
    }
}

/// <summary>A gateway list that cannot be used; the message says what was wrong with it.</summary>
public sealed class GatewayException(string message) : Exception(message);
