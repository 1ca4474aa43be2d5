using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>
/// An HTTPS proxy on 127.0.0.1 (HTTP <c>CONNECT</c>, as a corporate proxy is), which a child process uses through
/// <c>HTTPS_PROXY</c>: it tunnels a connection to one host name, which need not exist in DNS, to a port on 127.0.0.1,
/// and refuses every other host (403), so that nothing leaves the machine. TLS stays end to end between the child and
/// the server, which the child validates against the host name as it would anywhere.
/// </summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private static readonly TimeSpan HeaderBound = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly string _host;
    private readonly int _port;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _tunnels = [];
    private readonly Task _accepting;

    private ConnectProxy(string host, int port)
    {
        _host = host;
        _port = port;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the proxy's address, for <c>HTTPS_PROXY</c>.</summary>
    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Gets the targets of the CONNECT requests received (<c>host:port</c>), in order, refused ones included.</summary>
    public ConcurrentQueue<string> Targets { get; } = new();

    /// <summary>Starts a proxy that tunnels <paramref name="host"/> (any port) to 127.0.0.1:<paramref name="port"/>.</summary>
    public static ConnectProxy Start(string host, int port) => new(host, port);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _tunnels]).WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _tunnels.Add(TunnelAsync(client));
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var target = await ReadConnectTargetAsync(stream);
                Targets.Enqueue(target ?? "(not a CONNECT request)");
                if (target is null || !string.Equals(target.Split(':')[0], _host, StringComparison.OrdinalIgnoreCase))
                {
                    await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stopping.Token);
                    return;
                }

                using var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _port, _stopping.Token);
                await stream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), _stopping.Token);
                var upstream = server.GetStream();
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var first = await Task.WhenAny(stream.CopyToAsync(upstream, done.Token), upstream.CopyToAsync(stream, done.Token));
                await done.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The child closed its connection, or the proxy is stopping.
            }
        }
    }

    /// <summary>Reads the request head (bounded) and returns the CONNECT target, or null for anything else.</summary>
    private async Task<string?> ReadConnectTargetAsync(NetworkStream stream)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        bounded.CancelAfter(HeaderBound);
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 8192 && !head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, bounded.Token) == 0)
            {
                return null;
            }

            head.Append((char)buffer[0]);
        }

        var line = head.ToString().Split("\r\n")[0].Split(' ');
        return line is ["CONNECT", var target, _] ? target : null;
    }
}
