using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>An OpenAI stand-in on 127.0.0.1 that gives every request the same error answer, such as a 429.</summary>
internal sealed class FixedAnswerOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FixedAnswerOpenAIServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>Gets the base address to give the OpenAI client, ending in <c>/v1</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts a server that answers <paramref name="status"/> with OpenAI's error body for <paramref name="code"/>.</summary>
    public static async Task<FixedAnswerOpenAIServer> StartAsync(int status, string code)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers["retry-after-ms"] = "1";
            await context.Response.WriteAsJsonAsync(new { error = new { message = $"Stand-in error: {code}.", type = code, param = (string?)null, code } });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FixedAnswerOpenAIServer(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
