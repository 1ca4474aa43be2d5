using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Testing;

/// <summary>
/// A fake OpenAI Admin API (Kestrel, 127.0.0.1, a free port) for the rotator's tests: project service accounts and
/// project API keys, with the shapes of <c>tests/fixtures/openai/admin</c>. It accepts only its admin key (anything
/// else gets OpenAI's 401 <c>invalid_api_key</c>), mints keys that a <see cref="LocalOpenAIServer"/> then accepts,
/// revokes them so that it answers 401 with OpenAI's real error body, and lists them redacted, paged.
/// </summary>
/// <remarks>
/// Crash injection: <see cref="FailNext"/> makes the next call of an operation fail, before or after it took
/// effect, by aborting the connection (as a process dying mid-call looks to the other side) or with a 500.
/// <see cref="RefuseServiceAccountKeyDeletion"/> gives the older API's answer to deleting a service account's key.
/// </remarks>
public sealed class LocalOpenAIAdminServer : IAsyncDisposable
{
    private static readonly Lazy<JsonObject> Errors = new(() => (JsonObject)JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("openai", "admin", "admin-errors.derived.json")))!);

    private readonly LocalOpenAIServer _api;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, MintedApiKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _serviceAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AdminOperation, AdminFailure> _failures = new();
    private readonly ConcurrentQueue<AdminCall> _calls = new();
    private readonly object _gate = new();
    private LocalServer _server = null!;
    private int _sequence;

    private LocalOpenAIAdminServer(LocalOpenAIServer api, string adminKey, string projectId, TimeProvider time)
    {
        _api = api;
        AdminKey = adminKey;
        ProjectId = projectId;
        _time = time;
    }

    /// <summary>Gets the admin key the server accepts.</summary>
    public string AdminKey { get; private set; }

    /// <summary>Gets the project the server knows.</summary>
    public string ProjectId { get; }

    /// <summary>Gets the base address to give the rotator: <c>http://127.0.0.1:{port}/v1/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets or sets a value indicating whether deleting a service account's key is refused (400), as the older API did.</summary>
    public bool RefuseServiceAccountKeyDeletion { get; set; }

    /// <summary>Gets or sets a value indicating whether <c>expires_in_seconds</c> is refused (400, unknown parameter), as the older API did.</summary>
    public bool RejectExpiry { get; set; }

    /// <summary>Gets or sets the most keys one list page holds (the API allows 100); small, so that paging is exercised.</summary>
    public int ListPageSize { get; set; } = 2;

    /// <summary>Gets every key the server knows, revoked ones included, in order of creation.</summary>
    public IReadOnlyList<MintedApiKey> Keys => [.. _keys.Values.OrderBy(k => k.Sequence)];

    /// <summary>Gets the keys not revoked: the ones the OpenAI fake accepts.</summary>
    public IReadOnlyList<MintedApiKey> LiveKeys => [.. Keys.Where(k => !k.IsRevoked)];

    /// <summary>Gets how many keys were minted (by key creation or with a new service account).</summary>
    public int MintCount => Keys.Count(k => k.Minted);

    /// <summary>Gets the service accounts that exist: id and name.</summary>
    public IReadOnlyDictionary<string, string> ServiceAccounts => new Dictionary<string, string>(_serviceAccounts);

    /// <summary>Gets every call received, in order.</summary>
    public IReadOnlyList<AdminCall> Calls => [.. _calls];

    /// <summary>Starts the server with one service account and no key.</summary>
    /// <param name="api">The OpenAI fake whose accepted keys follow this server's minting and revocation.</param>
    /// <param name="adminKey">The admin key to accept.</param>
    /// <param name="projectId">The project.</param>
    /// <param name="serviceAccountId">A service account that exists from the start.</param>
    /// <param name="time">The clock for <c>created_at</c> and <c>expires_at</c>.</param>
    public static async Task<LocalOpenAIAdminServer> StartAsync(LocalOpenAIServer api, string adminKey, string projectId, string serviceAccountId, TimeProvider time)
    {
        var server = new LocalOpenAIAdminServer(api, adminKey, projectId, time);
        server._serviceAccounts[serviceAccountId] = "app";
        server._server = await LocalServer.StartAsync(server.HandleAsync);
        server.Endpoint = new Uri(server._server.Address, "v1/");
        return server;
    }

    /// <summary>Adds an existing key (one made by hand in the dashboard) of a service account, which the OpenAI fake accepts.</summary>
    public MintedApiKey AddExistingKey(string value, string serviceAccountId, string name = "made by hand", DateTimeOffset? createdAt = null)
        => Add(value, name, serviceAccountId, expiresAt: null, minted: false, createdAt);

    /// <summary>Makes the next call of <paramref name="operation"/> fail as <paramref name="failure"/> says.</summary>
    public void FailNext(AdminOperation operation, AdminFailure failure) => _failures[operation] = failure;

    /// <summary>Changes the admin key the server accepts (the old one is then rejected).</summary>
    public void RotateAdminKey(string adminKey) => AdminKey = adminKey;

    /// <summary>Revokes a key as if deleted in the dashboard.</summary>
    public void Revoke(string keyId)
    {
        if (_keys.TryGetValue(keyId, out var key))
        {
            RevokeKey(key);
        }
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static string Mask(string key) => LocalOpenAIServer.Mask(key);

    private MintedApiKey Add(string value, string name, string serviceAccountId, DateTimeOffset? expiresAt, bool minted, DateTimeOffset? createdAt = null)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            var key = new MintedApiKey(
                $"key_{sequence:D6}",
                value,
                name,
                serviceAccountId,
                createdAt ?? _time.GetUtcNow(),
                expiresAt,
                sequence,
                minted);
            _keys[key.Id] = key;
            _api.AcceptKey(value);
            return key;
        }
    }

    private void RevokeKey(MintedApiKey key)
    {
        key.RevokedAt ??= _time.GetUtcNow();
        key.RevokedAtApiRequest ??= _api.RequestCount;
        _api.RevokeKey(key.Value);
    }

    private string NewKeyValue()
    {
        // Obviously fake, generated: sk-svcacct- + 40 'M' + a counter.
        var number = Interlocked.Increment(ref _sequence) + 1000;
        return "sk-svcacct-" + new string('M', 40) + number.ToString("D8", CultureInfo.InvariantCulture);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = (request.Path.Value ?? string.Empty).Trim('/').Split('/');
        var operation = Classify(request.Method, segments);
        _calls.Enqueue(new AdminCall(request.Method, request.Path.Value ?? string.Empty, operation));

        var authorization = request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : string.Empty;
        if (key != AdminKey)
        {
            await WriteErrorAsync(context, "invalid_admin_key", Mask(key));
            return;
        }

        if (operation == AdminOperation.Unknown || segments.Length < 4 || segments[3] != ProjectId)
        {
            await WriteErrorAsync(context, "not_found");
            return;
        }

        JsonObject? body = null;
        if (HttpMethods.IsPost(request.Method) && request.ContentLength != 0)
        {
            body = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync()) as JsonObject;
        }

        _failures.TryRemove(operation, out var failure);
        if (failure == AdminFailure.AbortBefore)
        {
            context.Abort();
            return;
        }

        if (failure == AdminFailure.ServerErrorBefore)
        {
            await WriteJsonAsync(context, 500, """{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""");
            return;
        }

        var (status, json) = operation == AdminOperation.ListApiKeys
            ? (200, ListJson(request.Query["limit"].ToString(), request.Query["after"].ToString()))
            : Execute(operation, segments, body);
        if (failure == AdminFailure.AbortAfter)
        {
            context.Abort();
            return;
        }

        await WriteJsonAsync(context, status, json);
    }

    private static AdminOperation Classify(string method, string[] s)
    {
        // v1/organization/projects/{p}/...
        if (s.Length < 5 || s[0] != "v1" || s[1] != "organization" || s[2] != "projects")
        {
            return AdminOperation.Unknown;
        }

        return (method, s.Length, s[4]) switch
        {
            ("POST", 7, "service_accounts") when s[6] == "api_keys" => AdminOperation.CreateServiceAccountKey,
            ("POST", 5, "service_accounts") => AdminOperation.CreateServiceAccount,
            ("DELETE", 6, "service_accounts") => AdminOperation.DeleteServiceAccount,
            ("DELETE", 6, "api_keys") => AdminOperation.DeleteApiKey,
            ("GET", 5, "api_keys") => AdminOperation.ListApiKeys,
            _ => AdminOperation.Unknown,
        };
    }

    private (int Status, string Json) Execute(AdminOperation operation, string[] s, JsonObject? body)
    {
        var expiresIn = body?["expires_in_seconds"]?.GetValue<long>();
        if (expiresIn is not null && RejectExpiry)
        {
            return Error("unknown_parameter_expires_in_seconds");
        }

        var expiresAt = expiresIn is { } seconds ? _time.GetUtcNow().AddSeconds(seconds) : (DateTimeOffset?)null;
        switch (operation)
        {
            case AdminOperation.CreateServiceAccountKey:
            {
                if (!_serviceAccounts.ContainsKey(s[5]))
                {
                    return Error("not_found");
                }

                var key = Add(NewKeyValue(), body?["name"]?.GetValue<string>() ?? "Secret Key", s[5], expiresAt, minted: true);
                var answer = KeyJson(key);
                answer["value"] = key.Value;
                return (200, answer.ToJsonString());
            }

            case AdminOperation.CreateServiceAccount:
            {
                var name = body?["name"]?.GetValue<string>() ?? "Service Account";
                var accountId = $"svc_acct_{Interlocked.Increment(ref _sequence):D6}";
                _serviceAccounts[accountId] = name;
                var key = Add(NewKeyValue(), "Secret Key", accountId, expiresAt, minted: true);
                var apiKey = KeyJson(key);
                apiKey["value"] = key.Value;
                return (200, new JsonObject
                {
                    ["object"] = "organization.project.service_account",
                    ["id"] = accountId,
                    ["name"] = name,
                    ["role"] = "member",
                    ["created_at"] = _time.GetUtcNow().ToUnixTimeSeconds(),
                    ["api_key"] = apiKey,
                }.ToJsonString());
            }

            case AdminOperation.DeleteApiKey:
            {
                if (!_keys.TryGetValue(s[5], out var key) || key.IsRevoked)
                {
                    return Error("not_found");
                }

                if (RefuseServiceAccountKeyDeletion)
                {
                    return Error("service_account_key_delete_refused");
                }

                RevokeKey(key);
                return (200, new JsonObject { ["object"] = "organization.project.api_key.deleted", ["id"] = key.Id, ["deleted"] = true }.ToJsonString());
            }

            case AdminOperation.DeleteServiceAccount:
            {
                if (!_serviceAccounts.TryRemove(s[5], out _))
                {
                    return Error("not_found");
                }

                foreach (var key in _keys.Values.Where(k => k.ServiceAccountId == s[5]))
                {
                    RevokeKey(key);
                }

                return (200, new JsonObject { ["object"] = "organization.project.service_account.deleted", ["id"] = s[5], ["deleted"] = true }.ToJsonString());
            }

            default:
                return Error("not_found");
        }
    }

    private string ListJson(string limit, string after)
    {
        // Paged by the request's limit and after, as the Admin API does, and never more than ListPageSize a page.
        var all = LiveKeys;
        var start = after.Length == 0 ? 0 : all.ToList().FindIndex(k => k.Id == after) + 1;
        var size = Math.Min(int.TryParse(limit, CultureInfo.InvariantCulture, out var l) ? l : 20, ListPageSize);
        var live = all.Skip(start).Take(size).ToList();
        var data = new JsonArray();
        foreach (var key in live)
        {
            var item = KeyJson(key);
            item["object"] = "organization.project.api_key";
            item["redacted_value"] = key.Value[..6] + "..." + key.Value[^3..];
            item["last_used_at"] = null;
            item["owner_project_access"] = "active";
            item.Remove("value");
            item.Remove("expires_at");
            item["owner"] = new JsonObject
            {
                ["type"] = "service_account",
                ["service_account"] = new JsonObject
                {
                    ["id"] = key.ServiceAccountId,
                    ["name"] = _serviceAccounts.TryGetValue(key.ServiceAccountId, out var name) ? name : "deleted",
                    ["created_at"] = key.CreatedAt.ToUnixTimeSeconds(),
                    ["role"] = "member",
                },
            };
            data.Add(item);
        }

        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["first_id"] = live.Count > 0 ? live[0].Id : null,
            ["last_id"] = live.Count > 0 ? live[^1].Id : null,
            ["has_more"] = start + live.Count < all.Count,
        }.ToJsonString();
    }

    private static JsonObject KeyJson(MintedApiKey key)
    {
        var json = new JsonObject
        {
            ["object"] = "organization.project.service_account.api_key",
            ["name"] = key.Name,
            ["created_at"] = key.CreatedAt.ToUnixTimeSeconds(),
            ["id"] = key.Id,
        };
        if (key.ExpiresAt is { } expiresAt)
        {
            json["expires_at"] = expiresAt.ToUnixTimeSeconds();
        }

        return json;
    }

    private static (int Status, string Json) Error(string name)
    {
        var entry = Errors.Value[name]!;
        return (entry["status"]!.GetValue<int>(), entry["body"]!.ToJsonString());
    }

    private static async Task WriteErrorAsync(HttpContext context, string name, string? maskedKey = null)
    {
        var (status, json) = Error(name);
        await WriteJsonAsync(context, status, json.Replace("{MASKED_KEY}", maskedKey ?? string.Empty, StringComparison.Ordinal));
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = Encoding.UTF8.GetByteCount(json);
        await context.Response.WriteAsync(json, Encoding.UTF8);
    }
}

/// <summary>The Admin API operations the fake serves.</summary>
public enum AdminOperation
{
    /// <summary>A request the fake does not serve.</summary>
    Unknown,

    /// <summary><c>POST …/service_accounts/{id}/api_keys</c>.</summary>
    CreateServiceAccountKey,

    /// <summary><c>POST …/service_accounts</c>.</summary>
    CreateServiceAccount,

    /// <summary><c>DELETE …/api_keys/{id}</c>.</summary>
    DeleteApiKey,

    /// <summary><c>DELETE …/service_accounts/{id}</c>.</summary>
    DeleteServiceAccount,

    /// <summary><c>GET …/api_keys</c>.</summary>
    ListApiKeys,
}

/// <summary>How an injected failure happens.</summary>
public enum AdminFailure
{
    /// <summary>No failure.</summary>
    None,

    /// <summary>The connection is aborted before the operation takes effect.</summary>
    AbortBefore,

    /// <summary>The operation takes effect, then the connection is aborted: the caller never learns the outcome.</summary>
    AbortAfter,

    /// <summary>A 500 answer before the operation takes effect.</summary>
    ServerErrorBefore,
}

/// <summary>One call the fake Admin API received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path.</param>
/// <param name="Operation">What it was.</param>
public sealed record AdminCall(string Method, string Path, AdminOperation Operation);

/// <summary>A key the fake Admin API knows.</summary>
public sealed class MintedApiKey(string id, string value, string name, string serviceAccountId, DateTimeOffset createdAt, DateTimeOffset? expiresAt, int sequence, bool minted)
{
    /// <summary>Gets the key's id (<c>key_…</c>).</summary>
    public string Id { get; } = id;

    /// <summary>Gets the key's value.</summary>
    public string Value { get; } = value;

    /// <summary>Gets the key's name.</summary>
    public string Name { get; } = name;

    /// <summary>Gets the owning service account's id.</summary>
    public string ServiceAccountId { get; } = serviceAccountId;

    /// <summary>Gets when the key was created.</summary>
    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Gets when the key expires, if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    /// <summary>Gets the order of creation.</summary>
    public int Sequence { get; } = sequence;

    /// <summary>Gets a value indicating whether the key was minted through the API (not added by the test).</summary>
    public bool Minted { get; } = minted;

    /// <summary>Gets when the key was revoked, or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; internal set; }

    /// <summary>Gets the OpenAI fake's request count when the key was revoked: requests numbered above it came after.</summary>
    public int? RevokedAtApiRequest { get; internal set; }

    /// <summary>Gets a value indicating whether the key was revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <inheritdoc />
    public override string ToString() => $"{Id} {LocalOpenAIServer.Mask(Value)} {Name} ({ServiceAccountId}){(IsRevoked ? " revoked" : string.Empty)}";
}
