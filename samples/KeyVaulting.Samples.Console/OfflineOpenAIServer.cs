using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Samples.Console;

/// <summary>
/// The offline demo endpoint: a tiny OpenAI-compatible server on 127.0.0.1 that answers <c>/v1/chat/completions</c>
/// and <c>/v1/models</c> with OpenAI's response shapes, and accepts only the keys it is told are valid, answering
/// others with OpenAI's 401 <c>invalid_api_key</c> error. It also answers the three Admin API calls an automated
/// rotation makes (mint a service account's key, list the project's keys, delete a key) for the one admin key it is
/// given: a key it mints becomes valid at once, a key it deletes is revoked. It is a stand-in for api.openai.com, not a
/// proxy to it.
/// </summary>
internal sealed class OfflineOpenAIServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, bool> _validKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MintedKey> _minted = new(StringComparer.Ordinal);
    private string? _adminKey;
    private int _nextMinted = 4;
    private readonly WebApplication _app;
    private int _unauthorized;
    private int _answered;

    private OfflineOpenAIServer(WebApplication app) => _app = app;

    /// <summary>Gets the base address to give the OpenAI client, ending in <c>/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public int UnauthorizedCount => Volatile.Read(ref _unauthorized);

    public int AnsweredCount => Volatile.Read(ref _answered);

    /// <summary>Gets the key the last answered request carried.</summary>
    public string? LastAcceptedKey { get; private set; }

    public static async Task<OfflineOpenAIServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new OfflineOpenAIServer(app);
        app.MapPost("/v1/chat/completions", (Delegate)server.ChatAsync);
        app.MapGet("/v1/models", (Delegate)server.Models);
        app.MapPost("/v1/organization/projects/{project}/service_accounts/{account}/api_keys", (Delegate)server.MintAsync);
        app.MapGet("/v1/organization/projects/{project}/api_keys", (Delegate)server.ListKeys);
        app.MapDelete("/v1/organization/projects/{project}/api_keys/{id}", (Delegate)server.DeleteKey);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public void Allow(string key) => _validKeys[key] = true;

    public void Revoke(string key) => _validKeys.TryRemove(key, out _);

    /// <summary>Accepts <paramref name="adminKey"/> on the Admin API calls.</summary>
    public void AllowAdmin(string adminKey) => _adminKey = adminKey;

    /// <summary>Returns whether <paramref name="key"/> is still accepted.</summary>
    public bool IsValid(string key) => _validKeys.ContainsKey(key);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> ChatAsync(HttpContext context)
    {
        if (!Authorize(context, out var rejection))
        {
            return rejection;
        }

        var request = await JsonNode.ParseAsync(context.Request.Body);
        var model = request?["model"]?.GetValue<string>() ?? "gpt-4o-mini";
        Interlocked.Increment(ref _answered);
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-offline-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = 1741569952,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Hello from the offline demo endpoint.", ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 9, ["completion_tokens"] = 7, ["total_tokens"] = 16 },
        };
        return Results.Text(response.ToJsonString(), "application/json");
    }

    private IResult Models(HttpContext context)
    {
        if (!Authorize(context, out var rejection))
        {
            return rejection;
        }

        Interlocked.Increment(ref _answered);
        var body = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = "gpt-4o-mini", ["object"] = "model", ["created"] = 1721172741, ["owned_by"] = "system" }),
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private async Task<IResult> MintAsync(HttpContext context, string account)
    {
        if (!AuthorizeAdmin(context, out var rejection))
        {
            return rejection;
        }

        var request = await JsonNode.ParseAsync(context.Request.Body);
        var number = Interlocked.Increment(ref _nextMinted) - 1;
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var key = new MintedKey(
            "key_offline_demo_" + number.ToString("D4", CultureInfo.InvariantCulture),
            DemoKeys.Create(number),
            request?["name"]?.GetValue<string>() ?? "Secret Key",
            account,
            now);
        _minted[key.Id] = key;
        Allow(key.Value);
        var answer = new JsonObject
        {
            ["object"] = "organization.project.service_account.api_key",
            ["value"] = key.Value,
            ["name"] = key.Name,
            ["created_at"] = now,
            ["id"] = key.Id,
        };
        if (request?["expires_in_seconds"]?.GetValue<long>() is { } seconds)
        {
            answer["expires_at"] = now + seconds;
        }

        return Results.Text(answer.ToJsonString(), "application/json");
    }

    private IResult ListKeys(HttpContext context)
    {
        if (!AuthorizeAdmin(context, out var rejection))
        {
            return rejection;
        }

        var data = new JsonArray();
        foreach (var key in _minted.Values.Where(k => IsValid(k.Value)).OrderBy(k => k.Id, StringComparer.Ordinal))
        {
            data.Add(new JsonObject
            {
                ["object"] = "organization.project.api_key",
                ["redacted_value"] = key.Value[..6] + "..." + key.Value[^3..],
                ["name"] = key.Name,
                ["created_at"] = key.CreatedAt,
                ["last_used_at"] = null,
                ["id"] = key.Id,
                ["owner"] = new JsonObject
                {
                    ["type"] = "service_account",
                    ["service_account"] = new JsonObject { ["id"] = key.ServiceAccountId, ["name"] = "offline demo", ["created_at"] = key.CreatedAt, ["role"] = "member" },
                },
            });
        }

        var body = new JsonObject { ["object"] = "list", ["data"] = data, ["first_id"] = null, ["last_id"] = null, ["has_more"] = false };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private IResult DeleteKey(HttpContext context, string id)
    {
        if (!AuthorizeAdmin(context, out var rejection))
        {
            return rejection;
        }

        if (!_minted.TryRemove(id, out var key))
        {
            var missing = new JsonObject { ["error"] = new JsonObject { ["message"] = $"No API key found with id '{id}'.", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null } };
            return Results.Text(missing.ToJsonString(), "application/json", statusCode: StatusCodes.Status404NotFound);
        }

        Revoke(key.Value);
        var deleted = new JsonObject { ["object"] = "organization.project.api_key.deleted", ["id"] = id, ["deleted"] = true };
        return Results.Text(deleted.ToJsonString(), "application/json");
    }

    private bool AuthorizeAdmin(HttpContext context, out IResult rejection)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (_adminKey is not null && string.Equals(header, "Bearer " + _adminKey, StringComparison.Ordinal))
        {
            rejection = Results.Empty;
            return true;
        }

        Interlocked.Increment(ref _unauthorized);
        var error = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = "Invalid admin key.", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = "invalid_api_key" },
        };
        rejection = Results.Text(error.ToJsonString(), "application/json", statusCode: StatusCodes.Status401Unauthorized);
        return false;
    }

    private bool Authorize(HttpContext context, out IResult rejection)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : string.Empty;
        if (_validKeys.ContainsKey(key))
        {
            LastAcceptedKey = key;
            rejection = Results.Empty;
            return true;
        }

        Interlocked.Increment(ref _unauthorized);
        // OpenAI's own 401 body (it masks the key it was sent; so does this stand-in).
        var masked = key.Length > 12 ? key[..8] + new string('*', 8) + key[^4..] : "****";
        var error = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = $"Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys.",
                ["type"] = "invalid_request_error",
                ["param"] = null,
                ["code"] = "invalid_api_key",
            },
        };
        rejection = Results.Text(error.ToJsonString(), "application/json", statusCode: StatusCodes.Status401Unauthorized);
        return false;
    }

    private sealed record MintedKey(string Id, string Value, string Name, string ServiceAccountId, long CreatedAt);
}
