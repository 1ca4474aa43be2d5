using KeyVaulting.Testing;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1 (a free port; HTTPS when given a certificate) running one handler. It can be stopped, so that
/// connections are refused, and started again on the same port, as a store that goes down and comes back.
/// </summary>
internal sealed class StoreServer : IAsyncDisposable
{
    private readonly RequestDelegate _handler;
    private readonly X509Certificate2? _certificate;
    private LocalServer? _server;
    private int _port;

    private StoreServer(RequestDelegate handler, X509Certificate2? certificate)
    {
        _handler = handler;
        _certificate = certificate;
    }

    public Uri Address { get; private set; } = null!;

    public bool IsRunning => _server is not null;

    public static async Task<StoreServer> StartAsync(RequestDelegate handler, X509Certificate2? certificate = null)
    {
        var server = new StoreServer(handler, certificate);
        await server.StartOnAsync(0);
        return server;
    }

    /// <summary>Stops listening: from now on connections to <see cref="Address"/> are refused.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public async Task RestartAsync()
    {
        if (_server is null)
        {
            await StartOnAsync(_port);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartOnAsync(int port)
    {
        var server = await LocalServer.StartAsync(_handler, _certificate, port);
        Address = server.Address;
        _port = Address.Port;
        _server = server;
    }
}
