using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A minimal OpenAI-compatible endpoint on 127.0.0.1 (Kestrel, port 0) inside the benchmark process: every request
/// whose <c>Authorization</c> header is one of the accepted values gets the same pre-encoded chat completion body,
/// any other gets a 401. Both contenders pay exactly the same server cost.
/// </summary>
internal sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _body;
    private readonly string[] _acceptedHeaders;

    private FakeOpenAIServer(WebApplication app, byte[] body, string[] acceptedHeaders)
    {
        _app = app;
        _body = body;
        _acceptedHeaders = acceptedHeaders;
    }

    /// <summary>Gets the base address to use as the client's endpoint, for example <c>http://127.0.0.1:1234/v1/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Starts the server.</summary>
    /// <param name="responseBody">The JSON body of every successful answer.</param>
    /// <param name="acceptedKeys">The keys the server accepts as <c>Bearer</c> tokens.</param>
    /// <returns>The started server.</returns>
    public static async Task<FakeOpenAIServer> StartAsync(byte[] responseBody, params string[] acceptedKeys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeOpenAIServer(app, responseBody, [.. acceptedKeys.Select(key => "Bearer " + key)]);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task HandleAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (Array.IndexOf(_acceptedHeaders, authorization) < 0)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = _body.Length;
        return context.Response.Body.WriteAsync(_body, 0, _body.Length);
    }
}
