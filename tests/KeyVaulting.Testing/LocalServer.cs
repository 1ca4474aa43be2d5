using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Testing;

/// <summary>
/// Kestrel on 127.0.0.1 inside the test (or benchmark) process, on a free port or a given one, over plain HTTP or,
/// given a certificate, HTTPS, answering every request with one handler. The local store and OpenAI fakes are
/// request handlers on top of it.
/// </summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Gets the server's base address, for example <c>http://127.0.0.1:1234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Gets the server's services (Kestrel's, not the application's under test).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server that answers every request with <paramref name="handler"/>.</summary>
    /// <param name="handler">Answers a request.</param>
    /// <param name="certificate">The server certificate for HTTPS, or <see langword="null"/> for plain HTTP.</param>
    /// <param name="port">The port to listen on; 0 (the default) for a free one.</param>
    /// <returns>The started server.</returns>
    public static async Task<LocalServer> StartAsync(RequestDelegate handler, X509Certificate2? certificate = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LocalServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
