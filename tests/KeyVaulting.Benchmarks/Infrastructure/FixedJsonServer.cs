using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A minimal store fake on 127.0.0.1 (Kestrel, port 0): every request gets the same JSON answer. Enough for a cold
/// start, where the store's own latency is not what is measured.
/// </summary>
internal sealed class FixedJsonServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FixedJsonServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Gets the server's base address, for example <c>http://127.0.0.1:1234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Starts a server that answers every request with <paramref name="json"/>.</summary>
    /// <param name="json">The answer's body.</param>
    /// <param name="contentType">The answer's content type.</param>
    /// <returns>The started server.</returns>
    public static async Task<FixedJsonServer> StartAsync(string json, string contentType = "application/json")
    {
        var body = Encoding.UTF8.GetBytes(json);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body, 0, body.Length);
        });
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FixedJsonServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
