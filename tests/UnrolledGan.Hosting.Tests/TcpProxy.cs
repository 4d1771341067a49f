using System.Net;
using System.Net.Sockets;

namespace UnrolledGan.Hosting.Tests;

/// <summary>
/// A loopback port in front of the test database that can go down as a restarting server does: it stops accepting
/// (connections are refused) and resets every open connection; up again, it accepts and forwards as before.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<Socket> _open = [];
    private readonly object _lock = new();
    private Socket? _listener;

    private TcpProxy(IPEndPoint target)
    {
        _target = target;
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public static TcpProxy Start(string host, int port)
    {
        var proxy = new TcpProxy(new IPEndPoint(IPAddress.Parse(host), port));
        proxy.Up();
        return proxy;
    }

    public void Up()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        listener.Listen();
        _listener = listener;
        _ = AcceptAsync(listener);
    }

    public void Down()
    {
        _listener?.Dispose();
        _listener = null;
        Socket[] open;
        lock (_lock)
        {
            open = [.. _open];
            _open.Clear();
        }
        foreach (var socket in open)
        {
            // Linger 0: the peer gets a reset, as from a server process that is gone.
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync();
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(_target);
                lock (_lock)
                {
                    _open.Add(client);
                    _open.Add(server);
                }
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Down, or disposed.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read));
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by Down, or by either end.
        }
    }

    public ValueTask DisposeAsync()
    {
        Down();
        return ValueTask.CompletedTask;
    }
}
