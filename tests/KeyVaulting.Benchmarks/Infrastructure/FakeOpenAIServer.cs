using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A minimal OpenAI-compatible endpoint on 127.0.0.1 (<see cref="LocalServer"/>) inside the benchmark process: every
/// request whose <c>Authorization</c> header is one of the accepted values gets the same pre-encoded chat completion
/// body, any other gets a 401. Both contenders pay exactly the same server cost.
/// </summary>
internal sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly byte[] _body;
    private readonly string[] _acceptedHeaders;
    private LocalServer _server = null!;

    private FakeOpenAIServer(byte[] body, string[] acceptedHeaders)
    {
        _body = body;
        _acceptedHeaders = acceptedHeaders;
    }

    /// <summary>Gets the base address to use as the client's endpoint, for example <c>http://127.0.0.1:1234/v1/</c>.</summary>
    public Uri Endpoint => new(_server.Address, "v1/");

    /// <summary>Starts the server.</summary>
    /// <param name="responseBody">The JSON body of every successful answer.</param>
    /// <param name="acceptedKeys">The keys the server accepts as <c>Bearer</c> tokens.</param>
    /// <returns>The started server.</returns>
    public static async Task<FakeOpenAIServer> StartAsync(byte[] responseBody, params string[] acceptedKeys)
    {
        var server = new FakeOpenAIServer(responseBody, [.. acceptedKeys.Select(key => "Bearer " + key)]);
        server._server = await LocalServer.StartAsync(server.HandleAsync).ConfigureAwait(false);
        return server;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

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
