using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>An OpenAI stand-in on 127.0.0.1 that gives every request the same error answer, such as a 429.</summary>
internal sealed class FixedAnswerOpenAIServer : IAsyncDisposable
{
    private readonly LocalServer _server;

    private FixedAnswerOpenAIServer(LocalServer server)
    {
        _server = server;
        Endpoint = new Uri(server.Address, "v1");
    }

    /// <summary>Gets the base address to give the OpenAI client, ending in <c>/v1</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts a server that answers <paramref name="status"/> with OpenAI's error body for <paramref name="code"/>.</summary>
    public static async Task<FixedAnswerOpenAIServer> StartAsync(int status, string code)
    {
        var server = await LocalServer.StartAsync(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers["retry-after-ms"] = "1";
            await context.Response.WriteAsJsonAsync(new { error = new { message = $"Stand-in error: {code}.", type = code, param = (string?)null, code } });
        });
        return new FixedAnswerOpenAIServer(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
