using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AzureOpenAI.Tests.Infrastructure;

/// <summary>
/// An Azure OpenAI resource on 127.0.0.1: <c>POST /openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// answered with a chat completion when the <c>api-key</c> header holds a key it accepts, else with Azure's 401
/// (<c>{"error":{"code":"401","message":"Access denied due to invalid subscription key…"}}</c>). Like a resource, it
/// has two keys; regenerating one makes the old value invalid. It records every request.
/// </summary>
internal sealed class FakeAzureOpenAI : IAsyncDisposable
{
    public const string Answer = "Hello from the Azure OpenAI deployment.";

    private readonly ConcurrentDictionary<string, byte> _validKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AzureRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _scripted = new();
    private LocalServer _server = null!;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<AzureRequest> Requests => [.. _requests];

    public static async Task<FakeAzureOpenAI> StartAsync(params string[] validKeys)
    {
        var fake = new FakeAzureOpenAI();
        foreach (var key in validKeys)
        {
            fake.AcceptKey(key);
        }

        fake._server = await LocalServer.StartAsync(fake.HandleAsync);
        fake.Endpoint = fake._server.Address;
        return fake;
    }

    public void AcceptKey(string key) => _validKeys[key] = 0;

    /// <summary>Regenerates a key: its old value is rejected from now on and <paramref name="newValue"/> accepted.</summary>
    public void Regenerate(string oldValue, string newValue)
    {
        _validKeys.TryRemove(oldValue, out _);
        AcceptKey(newValue);
    }

    /// <summary>Answers the next authenticated request with this status and body.</summary>
    public void Enqueue(int status, string body) => _scripted.Enqueue((status, body));

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var apiKey = request.Headers.TryGetValue("api-key", out var values) ? values.ToString() : null;
        string? message = null;
        if (request.ContentLength != 0)
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
            var messages = body.RootElement.GetProperty("messages");
            var content = messages[messages.GetArrayLength() - 1].GetProperty("content");
            message = content.ValueKind == JsonValueKind.String ? content.GetString() : content[0].GetProperty("text").GetString();
        }

        _requests.Enqueue(new AzureRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.Query["api-version"].ToString(),
            apiKey,
            request.Headers.Authorization.ToString(),
            message));

        if (apiKey is null || !_validKeys.ContainsKey(apiKey))
        {
            await WriteAsync(context, 401, """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}""");
            return;
        }

        if (_scripted.TryDequeue(out var scripted))
        {
            await WriteAsync(context, scripted.Status, scripted.Body);
            return;
        }

        if (!request.Path.StartsWithSegments("/openai/deployments", StringComparison.Ordinal) || !request.Path.Value!.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            await WriteAsync(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        await WriteAsync(context, 200, $$$"""
            {"id":"chatcmpl-azure-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"{{{Answer}}}"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
            """);
    }

    private static async Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, Encoding.UTF8);
    }
}

/// <summary>One request as the fake resource saw it.</summary>
internal sealed record AzureRequest(string Method, string Path, string ApiVersion, string? ApiKey, string Authorization, string? Message);
