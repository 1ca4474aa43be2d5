using System.Collections.Concurrent;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// A <see cref="LocalServer"/> (Kestrel on 127.0.0.1) that records the path and the <c>Authorization</c> and
/// <c>OpenAI-Project</c> headers of every request, then answers it with the test's delegate: the "other host" of the
/// tests that prove where the key goes (a redirect target, an image host, a server that echoes what it was sent).
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LocalServer _server = null!;

    private RecordingServer()
    {
    }

    /// <summary>Gets the server's root address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Address => _server.Address;

    /// <summary>Gets the port the server listens on.</summary>
    public int Port => _server.Address.Port;

    /// <summary>Gets every request received so far, in order of arrival.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Starts a server that answers every request with <paramref name="answer"/>.</summary>
    public static async Task<RecordingServer> StartAsync(Func<HttpContext, Task> answer)
    {
        var server = new RecordingServer();
        server._server = await LocalServer.StartAsync(async context =>
        {
            var headers = context.Request.Headers;
            server._requests.Enqueue(new RecordedRequest(
                context.Request.Path.Value ?? string.Empty,
                headers.TryGetValue("Authorization", out var authorization) ? authorization.ToString() : null,
                headers.TryGetValue("OpenAI-Project", out var project) ? project.ToString() : null));
            await answer(context);
        });
        return server;
    }

    /// <summary>Answers with a status and a JSON body.</summary>
    public static async Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    /// <summary>OpenAI's 401 body for a wrong key.</summary>
    public static Task InvalidApiKeyAsync(HttpContext context)
        => JsonAsync(context, 401, """{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");

    /// <summary>Answers a redirect with the given status to <paramref name="location"/>.</summary>
    public static Task RedirectAsync(HttpContext context, int status, string location)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>One request as the <see cref="RecordingServer"/> saw it.</summary>
/// <param name="Path">The request path.</param>
/// <param name="Authorization">The <c>Authorization</c> header, or <see langword="null"/>.</param>
/// <param name="Project">The <c>OpenAI-Project</c> header, or <see langword="null"/>.</param>
internal sealed record RecordedRequest(string Path, string? Authorization, string? Project)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} authorization={(Authorization is null ? "(none)" : "(set)")}";
}
