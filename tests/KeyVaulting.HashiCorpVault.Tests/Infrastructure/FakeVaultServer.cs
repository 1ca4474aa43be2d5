using KeyVaulting.Testing;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>One request the server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? Token, string? Namespace, bool HasVaultRequestHeader);

/// <summary>
/// A Vault HTTP API server on 127.0.0.1 (Kestrel, a free port, optionally HTTPS) answering from a <see cref="FakeVault"/>.
/// It records requests and can be told to answer some of them with a scripted failure (sealed, rate limited, …).
/// </summary>
public sealed class FakeVaultServer : IAsyncDisposable
{
    private LocalServer _server = null!;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<Injection> _injections = [];

    private FakeVaultServer(FakeVault vault)
    {
        Vault = vault;
    }

    public FakeVault Vault { get; }

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeVaultServer> StartAsync(TimeProvider time, X509Certificate2? certificate = null)
    {
        var server = new FakeVaultServer(new FakeVault(time));
        server._server = await LocalServer.StartAsync(server.HandleAsync, certificate);
        server.Address = server._server.Address;
        return server;
    }

    /// <summary>Answers the next <paramref name="times"/> matching requests with a scripted status and body.</summary>
    public void Inject(Func<RecordedRequest, bool> when, int status, string body, int times = 1, params (string Name, string Value)[] headers)
    {
        lock (_injections)
        {
            _injections.Add(new Injection(when, status, body, headers) { Remaining = times });
        }
    }

    /// <summary>Counts the requests whose path starts with <paramref name="pathPrefix"/>.</summary>
    public int Count(string pathPrefix, string? method = null)
        => _requests.Count(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal) && (method is null || r.Method == method));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            _requests.Enqueue(new RecordedRequest(request.Method, path, request.QueryString.Value ?? string.Empty, null, null, false));
            await WriteAsync(context, FakeVault.Error(404));
            return;
        }

        var logicalPath = Uri.UnescapeDataString(path["/v1/".Length..]);
        var token = request.Headers["X-Vault-Token"].FirstOrDefault();
        var ns = request.Headers["X-Vault-Namespace"].FirstOrDefault();
        var recorded = new RecordedRequest(request.Method, logicalPath, request.QueryString.Value ?? string.Empty, token, ns, request.Headers.ContainsKey("X-Vault-Request"));
        _requests.Enqueue(recorded);

        Injection? injection;
        lock (_injections)
        {
            injection = _injections.FirstOrDefault(i => i.Remaining > 0 && i.When(recorded));
            if (injection is not null)
            {
                injection.Remaining--;
            }
        }

        if (injection is not null)
        {
            context.Response.StatusCode = injection.Status;
            foreach (var (name, value) in injection.Headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(injection.Body);
            return;
        }

        JsonObject? body = null;
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            body = text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }

        var answer = Vault.Handle(request.Method, logicalPath, recorded.Query, token, (ns ?? string.Empty).Trim('/'), body);
        await WriteAsync(context, answer);
    }

    private static Task WriteAsync(HttpContext context, FakeVaultResponse answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.Status == 204)
        {
            return Task.CompletedTask; // Vault's answer without a body (a lease revoked)
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(answer.Body.ToJsonString());
    }

    private sealed class Injection(Func<RecordedRequest, bool> when, int status, string body, (string Name, string Value)[] headers)
    {
        public Func<RecordedRequest, bool> When { get; } = when;

        public int Status { get; } = status;

        public string Body { get; } = body;

        public (string Name, string Value)[] Headers { get; } = headers;

        public int Remaining { get; set; }
    }
}
