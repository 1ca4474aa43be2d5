using System.Net.Sockets;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// The HTTP stack an application gives <c>OpenAIClientSettings.Transport</c> to bound its sockets: a
/// <see cref="SocketsHttpHandler"/> with <c>MaxConnectionsPerServer</c>, under a handler that counts the requests
/// outstanding at the transport (sent, not yet answered: on a connection or queued for one) and the connections opened.
/// </summary>
internal sealed class ConnectionLimitedHandler : DelegatingHandler
{
    private int _sent;
    private int _outstanding;
    private int _peakOutstanding;
    private int _connections;

    public ConnectionLimitedHandler(int maxConnectionsPerServer)
        => InnerHandler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnectionsPerServer,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectAsync,
        };

    /// <summary>Gets how many requests were given to the transport.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Gets how many requests the transport holds now, waiting for a connection or for their answer.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Gets the most requests the transport held at the same time.</summary>
    public int PeakOutstanding => Volatile.Read(ref _peakOutstanding);

    /// <summary>Gets how many TCP connections were opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var outstanding = Interlocked.Increment(ref _outstanding);
        int peak;
        while (outstanding > (peak = Volatile.Read(ref _peakOutstanding)) && Interlocked.CompareExchange(ref _peakOutstanding, outstanding, peak) != peak)
        {
        }

        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
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
