using System.Collections.Concurrent;
using System.Net.Sockets;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// An application's own HTTP stack, as it would give it to <c>OpenAIClientSettings.Transport</c>: a
/// <see cref="SocketsHttpHandler"/> with a connection limit, under a handler that records the bearer key of every
/// request it is asked to send and counts the connections the sockets handler opens.
/// </summary>
internal sealed class CountingHttpHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<string?> _keys = new();
    private int _connections;

    public CountingHttpHandler(int maxConnectionsPerServer)
        => InnerHandler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnectionsPerServer,
            ConnectCallback = ConnectAsync,
        };

    /// <summary>Gets the bearer key of every request sent through this handler, in order.</summary>
    public IReadOnlyCollection<string?> Keys => _keys;

    /// <summary>Gets how many TCP connections were opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _keys.Enqueue(request.Headers.Authorization?.Parameter);
        return base.SendAsync(request, cancellationToken);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
