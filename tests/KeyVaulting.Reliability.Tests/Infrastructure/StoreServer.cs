using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1 (a free port; HTTPS when given a certificate) running one handler. It can be stopped, so that
/// connections are refused, and started again on the same port, as a store that goes down and comes back.
/// </summary>
internal sealed class StoreServer : IAsyncDisposable
{
    private readonly RequestDelegate _handler;
    private readonly X509Certificate2? _certificate;
    private WebApplication? _app;
    private int _port;

    private StoreServer(RequestDelegate handler, X509Certificate2? certificate)
    {
        _handler = handler;
        _certificate = certificate;
    }

    public Uri Address { get; private set; } = null!;

    public bool IsRunning => _app is not null;

    public static async Task<StoreServer> StartAsync(RequestDelegate handler, X509Certificate2? certificate = null)
    {
        var server = new StoreServer(handler, certificate);
        await server.StartOnAsync(0);
        return server;
    }

    /// <summary>Stops listening: from now on connections to <see cref="Address"/> are refused.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public async Task RestartAsync()
    {
        if (_app is null)
        {
            await StartOnAsync(_port);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (_certificate is not null)
            {
                listen.UseHttps(_certificate);
            }
        }));

        var app = builder.Build();
        app.Run(_handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address.TrimEnd('/') + "/");
        _port = Address.Port;
        _app = app;
    }
}
