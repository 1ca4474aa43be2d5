using System.Net;
using System.Net.Sockets;

namespace KeyVaulting.Testing;

/// <summary>Ports on 127.0.0.1 for tests that need an address where nothing answers.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// Returns a port on 127.0.0.1 that was free a moment ago and has no listener now: a connection to it is refused
    /// at once, without leaving the machine.
    /// </summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
