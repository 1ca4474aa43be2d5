using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>What a token issued by <see cref="FakeVault"/> may do and how long it lives.</summary>
public sealed class TokenPolicy
{
    /// <summary>Gets the token's TTL; zero means it never expires (like a root token).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    public bool Renewable { get; init; } = true;

    /// <summary>Gets the most a token may live after it was issued, however often it is renewed.</summary>
    public TimeSpan? MaxTtl { get; init; }

    /// <summary>Gets the logical paths the token may read (<c>secret/data/openai</c>), or <c>*</c> for any.</summary>
    public string[] Read { get; init; } = ["*"];

    /// <summary>Gets the logical paths the token may create and update (<c>secret/data/openai</c>, <c>sys/leases/revoke</c>), or <c>*</c> for any; none by default.</summary>
    public string[] Write { get; init; } = [];
}

/// <summary>
/// Vault's documented behaviour for the endpoints the source uses, with Vault's documented response bodies
/// (HTTP API docs: KV v1/v2 read, auth/approle/login, auth/kubernetes/login, auth/token/renew-self, lookup-self,
/// the <c>{"errors": [...]}</c> envelope). Time comes from the test's <see cref="TimeProvider"/>, so tokens expire
/// when the test advances its fake clock.
/// </summary>
public sealed partial class FakeVault(TimeProvider time)
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Namespace, string Mount), Mount> _mounts = [];
    private readonly Dictionary<string, TokenEntry> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _secrets = [];

    /// <summary>Gets every secret this Vault issued or holds: tokens, secret ids, JWTs and KV values.</summary>
    public string[] Secrets
    {
        get
        {
            lock (_gate)
            {
                return [.. _secrets];
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether renew-self is refused (as for a token past its renewals).</summary>
    public bool RefuseRenewals { get; set; }

    public void EnableKv(string mount = "secret", int version = 2, string ns = "")
    {
        lock (_gate)
        {
            _mounts[(ns, mount)] = new Mount(version == 2 ? "kv-v2" : "kv-v1");
        }
    }

    /// <summary>Writes a new KV v2 version (like <c>vault kv put</c>) and returns its number.</summary>
    public int PutKv2(string mount, string path, IReadOnlyDictionary<string, object?> data, string ns = "")
    {
        lock (_gate)
        {
            var entry = GetMount(ns, mount).Kv2.TryGetValue(path, out var existing) ? existing : GetMount(ns, mount).Kv2[path] = [];
            entry.Add(new Kv2Version(entry.Count + 1, Clone(data), time.GetUtcNow()));
            Remember(data);
            return entry.Count;
        }
    }

    /// <summary>Writes a new KV v2 version holding the key in <paramref name="field"/>.</summary>
    public int PutKey(string path, string key, string mount = "secret", string field = "api_key", string ns = "")
        => PutKv2(mount, path, new Dictionary<string, object?> { [field] = key, ["owner"] = "team-ai" }, ns);

    public void DeleteKv2Version(string mount, string path, int version, string ns = "")
    {
        lock (_gate)
        {
            GetMount(ns, mount).Kv2[path][version - 1].DeletedAt = time.GetUtcNow();
        }
    }

    public void DestroyKv2Version(string mount, string path, int version, string ns = "")
    {
        lock (_gate)
        {
            GetMount(ns, mount).Kv2[path][version - 1].Destroyed = true;
        }
    }

    /// <summary>Writes a KV v1 secret; a <paramref name="ttl"/> becomes the advisory <c>lease_duration</c>.</summary>
    public void PutKv1(string mount, string path, IReadOnlyDictionary<string, object?> data, TimeSpan? ttl = null, string ns = "")
    {
        lock (_gate)
        {
            GetMount(ns, mount).Kv1[path] = (Clone(data), ttl);
            Remember(data);
        }
    }

    public string CreateToken(TokenPolicy? policy = null)
    {
        lock (_gate)
        {
            return Issue(policy ?? new TokenPolicy(), "token").Token;
        }
    }

    public void RevokeToken(string token)
    {
        lock (_gate)
        {
            if (_tokens.TryGetValue(token, out var entry))
            {
                entry.Revoked = true;
            }
        }
    }

    /// <summary>Revokes every token issued so far (as after a leak).</summary>
    public void RevokeAllTokens()
    {
        lock (_gate)
        {
            foreach (var entry in _tokens.Values)
            {
                entry.Revoked = true;
            }
        }
    }

    public void EnableAppRole(string mount = "approle", string ns = "")
    {
        lock (_gate)
        {
            _mounts[(ns, mount)] = new Mount("approle");
        }
    }

    /// <summary>Creates an AppRole role and one secret_id for it.</summary>
    public (string RoleId, string SecretId) AddAppRole(TokenPolicy policy, string mount = "approle", string ns = "")
    {
        var roleId = Guid.NewGuid().ToString();
        var secretId = "test-secret-id-" + Guid.NewGuid();
        lock (_gate)
        {
            GetMount(ns, mount).Logins[roleId] = (secretId, policy);
            _secrets.Add(secretId);
        }

        return (roleId, secretId);
    }

    public void EnableKubernetes(string mount = "kubernetes", string ns = "")
    {
        lock (_gate)
        {
            _mounts[(ns, mount)] = new Mount("kubernetes");
        }
    }

    /// <summary>Creates a Kubernetes role and returns the service-account JWT it accepts.</summary>
    public string AddKubernetesRole(string role, TokenPolicy policy, string mount = "kubernetes", string ns = "")
    {
        // Shaped like a JWT (three dot-separated parts), made up at run time.
        var jwt = $"test-jwt-header.{Guid.NewGuid():N}.{Guid.NewGuid():N}";
        lock (_gate)
        {
            GetMount(ns, mount).Logins[role] = (jwt, policy);
            _secrets.Add(jwt);
        }

        return jwt;
    }

    /// <summary>Answers one request the way Vault documents it.</summary>
    public FakeVaultResponse Handle(string method, string path, string query, string? token, string ns, JsonObject? body)
    {
        lock (_gate)
        {
            if (path == "auth/token/lookup-self" && method == "GET")
            {
                return LookupSelf(token);
            }

            if (path == "auth/token/renew-self" && method is "POST" or "PUT")
            {
                return RenewSelf(token);
            }

            var segments = path.Split('/');
            if (path.StartsWith("auth/", StringComparison.Ordinal) && path.EndsWith("/login", StringComparison.Ordinal) && method is "POST" or "PUT"
                && path["auth/".Length..^"/login".Length] is var authMount && _mounts.TryGetValue((ns, authMount), out var auth))
            {
                return Login(auth, authMount, body);
            }

            if (Validate(token) is { } invalid)
            {
                return invalid;
            }

            if (HandleLeases(method, path, _tokens[token!], body) is { } lease)
            {
                return lease;
            }

            var mountName = segments[0];
            if (_mounts.TryGetValue((ns, mountName), out var writable) && method is "POST" or "PUT" && writable.Type == "kv-v2")
            {
                return WriteKv2(writable, path, string.Join('/', segments.Skip(1)), _tokens[token!], body);
            }

            if (writable is { Type: "kv-v1" } && method is "POST" or "PUT")
            {
                return WriteKv1(writable, path, string.Join('/', segments.Skip(1)), _tokens[token!], body);
            }

            if (_mounts.TryGetValue((ns, mountName), out var openai) && method == "GET" && openai.Type == "openai")
            {
                return ReadOpenAICredentials(openai, mountName, path, string.Join('/', segments.Skip(1)), _tokens[token!]);
            }

            if (!_mounts.TryGetValue((ns, mountName), out var mount) || method != "GET")
            {
                return Error(404, $"no handler for route \"{(ns.Length == 0 ? string.Empty : ns + "/")}{path}\". route entry not found.");
            }

            var entry = _tokens[token!];
            if (!entry.Policy.Read.Contains("*") && !entry.Policy.Read.Contains(path))
            {
                return Error(403, "1 error occurred:\n\t* permission denied\n\n");
            }

            var rest = string.Join('/', segments.Skip(1));
            return mount.Type == "kv-v2" ? ReadKv2(mount, rest, query) : ReadKv1(mount, rest);
        }
    }

    private FakeVaultResponse ReadKv2(Mount mount, string rest, string query)
    {
        if (!rest.StartsWith("data/", StringComparison.Ordinal))
        {
            var envelope = Envelope();
            envelope["warnings"] = new JsonArray("Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.");
            return new FakeVaultResponse(404, envelope);
        }

        var path = rest["data/".Length..];
        if (!mount.Kv2.TryGetValue(path, out var versions) || versions.Count == 0)
        {
            return Error(404);
        }

        var wanted = versions.Count;
        if (query.StartsWith("?version=", StringComparison.Ordinal))
        {
            wanted = int.Parse(query["?version=".Length..], CultureInfo.InvariantCulture);
        }

        if (wanted < 1 || wanted > versions.Count)
        {
            return Error(404);
        }

        var version = versions[wanted - 1];
        var metadata = new JsonObject
        {
            ["created_time"] = Format(version.CreatedAt),
            ["custom_metadata"] = null,
            ["deletion_time"] = version.DeletedAt is { } deletedAt ? Format(deletedAt) : string.Empty,
            ["destroyed"] = version.Destroyed,
            ["version"] = version.Number,
        };
        var gone = version.Destroyed || version.DeletedAt is not null;
        var response = Envelope();
        response["data"] = new JsonObject
        {
            ["data"] = gone ? null : ToJson(version.Data),
            ["metadata"] = metadata,
        };
        return new FakeVaultResponse(gone ? 404 : 200, response);
    }

    private static FakeVaultResponse ReadKv1(Mount mount, string path)
    {
        if (!mount.Kv1.TryGetValue(path, out var secret))
        {
            return Error(404);
        }

        var response = Envelope();
        response["data"] = ToJson(secret.Data);

        // Vault reports the mount's default TTL (768h) unless the secret sets its own "ttl".
        response["lease_duration"] = (long)(secret.Ttl ?? TimeSpan.FromHours(768)).TotalSeconds;
        return new FakeVaultResponse(200, response);
    }

    private FakeVaultResponse Login(Mount mount, string mountName, JsonObject? body)
    {
        string? user;
        string? credential;
        if (mount.Type == "approle")
        {
            user = body?["role_id"]?.GetValue<string>();
            credential = body?["secret_id"]?.GetValue<string>();
        }
        else if (mount.Type == "kubernetes")
        {
            user = body?["role"]?.GetValue<string>();
            credential = body?["jwt"]?.GetValue<string>();
        }
        else
        {
            return Error(405, "unsupported operation");
        }

        if (user is null || !mount.Logins.TryGetValue(user, out var login) || login.Credential != credential)
        {
            return mount.Type == "approle"
                ? Error(400, "invalid role or secret ID")
                : Error(403, "permission denied");
        }

        var issued = Issue(login.Policy, $"auth/{mountName}/login");
        var response = Envelope();
        response["auth"] = new JsonObject
        {
            ["client_token"] = issued.Token,
            ["accessor"] = issued.Accessor,
            ["policies"] = new JsonArray("default", "openai-read"),
            ["token_policies"] = new JsonArray("default", "openai-read"),
            ["metadata"] = new JsonObject { ["role_name"] = mount.Type == "kubernetes" ? user : "openai-app" },
            ["lease_duration"] = (long)login.Policy.Ttl.TotalSeconds,
            ["renewable"] = login.Policy.Renewable,
            ["entity_id"] = Guid.NewGuid().ToString(),
            ["token_type"] = "service",
            ["orphan"] = true,
        };
        return new FakeVaultResponse(200, response);
    }

    private FakeVaultResponse LookupSelf(string? token)
    {
        if (Validate(token) is { } invalid)
        {
            return invalid;
        }

        var entry = _tokens[token!];
        var now = time.GetUtcNow();
        var response = Envelope();
        response["data"] = new JsonObject
        {
            ["accessor"] = entry.Accessor,
            ["creation_time"] = entry.IssuedAt.ToUnixTimeSeconds(),
            ["creation_ttl"] = (long)entry.Policy.Ttl.TotalSeconds,
            ["display_name"] = "token",
            ["entity_id"] = string.Empty,
            ["expire_time"] = entry.ExpiresAt is { } expiresAt ? Format(expiresAt) : null,
            ["explicit_max_ttl"] = 0,
            ["id"] = entry.Token,
            ["issue_time"] = Format(entry.IssuedAt),
            ["meta"] = null,
            ["num_uses"] = 0,
            ["orphan"] = false,
            ["path"] = entry.Path,
            ["policies"] = new JsonArray("default"),
            ["renewable"] = entry.Policy.Renewable && entry.ExpiresAt is not null,
            ["ttl"] = entry.ExpiresAt is { } e ? (long)(e - now).TotalSeconds : 0,
            ["type"] = "service",
        };
        return new FakeVaultResponse(200, response);
    }

    private FakeVaultResponse RenewSelf(string? token)
    {
        if (Validate(token) is { } invalid)
        {
            return invalid;
        }

        var entry = _tokens[token!];
        if (!entry.Policy.Renewable || entry.ExpiresAt is null || RefuseRenewals)
        {
            return Error(400, "lease is not renewable");
        }

        var now = time.GetUtcNow();
        var expiresAt = now + entry.Policy.Ttl;
        var response = Envelope();
        if (entry.MaxExpiresAt is { } max && expiresAt > max)
        {
            expiresAt = max;
            response["warnings"] = new JsonArray($"TTL of \"{entry.Policy.Ttl}\" exceeded the effective max_ttl of \"{max - now}\"; TTL value is capped accordingly");
        }

        entry.ExpiresAt = expiresAt;
        response["auth"] = new JsonObject
        {
            ["client_token"] = entry.Token,
            ["accessor"] = entry.Accessor,
            ["policies"] = new JsonArray("default", "openai-read"),
            ["metadata"] = null,
            ["lease_duration"] = (long)(expiresAt - now).TotalSeconds,
            ["renewable"] = true,
        };
        return new FakeVaultResponse(200, response);
    }

    private FakeVaultResponse? Validate(string? token)
    {
        if (token is null || !_tokens.TryGetValue(token, out var entry) || entry.Revoked
            || (entry.ExpiresAt is { } expiresAt && time.GetUtcNow() >= expiresAt))
        {
            // Vault 1.15+: a multi-error naming both reasons.
            return Error(403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n");
        }

        return null;
    }

    private TokenEntry Issue(TokenPolicy policy, string path)
    {
        var now = time.GetUtcNow();
        var entry = new TokenEntry(
            "test-token-" + Guid.NewGuid(),
            Guid.NewGuid().ToString(),
            policy,
            now,
            path)
        {
            ExpiresAt = policy.Ttl > TimeSpan.Zero ? now + policy.Ttl : null,
            MaxExpiresAt = policy.MaxTtl is { } max ? now + max : null,
        };
        _tokens[entry.Token] = entry;
        _secrets.Add(entry.Token);
        return entry;
    }

    private Mount GetMount(string ns, string mount)
        => _mounts.TryGetValue((ns, mount), out var found) ? found : throw new InvalidOperationException($"No mount {mount} in namespace '{ns}'.");

    private void Remember(IReadOnlyDictionary<string, object?> data)
    {
        foreach (var value in data.Values)
        {
            Remember(value);
        }
    }

    /// <summary>
    /// A field's string is a secret of the test; nested deeper (a rotation's metadata), only a key is: its ids and
    /// times are not secret, and the staged key is.
    /// </summary>
    private void Remember(object? value, bool nested = false)
    {
        switch (value)
        {
            case string text when !nested || text.StartsWith("sk-", StringComparison.Ordinal):
                _secrets.Add(text);
                break;
            case JsonObject json:
                foreach (var (_, child) in json)
                {
                    Remember(child, nested: true);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Remember(child, nested: true);
                }

                break;
            case JsonValue json when json.TryGetValue<string>(out var text):
                Remember(text, nested);
                break;
        }
    }

    private static Dictionary<string, object?> Clone(IReadOnlyDictionary<string, object?> data) => data.ToDictionary(p => p.Key, p => p.Value);

    private static JsonObject ToJson(Dictionary<string, object?> data)
    {
        var result = new JsonObject();
        foreach (var (name, value) in data)
        {
            result[name] = value switch
            {
                null => null,
                JsonNode node => node.DeepClone(),
                _ => JsonValue.Create(value),
            };
        }

        return result;
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The envelope Vault wraps every answer in.</summary>
    private static JsonObject Envelope() => new()
    {
        ["request_id"] = Guid.NewGuid().ToString(),
        ["lease_id"] = string.Empty,
        ["renewable"] = false,
        ["lease_duration"] = 0,
        ["data"] = null,
        ["wrap_info"] = null,
        ["warnings"] = null,
        ["auth"] = null,
    };

    /// <summary>Vault's error body: <c>{"errors": [...]}</c>; a plain 404 has an empty list.</summary>
    public static FakeVaultResponse Error(int status, params string[] errors)
        => new(status, new JsonObject { ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode?)e)]) });

    private sealed class Mount(string type)
    {
        public string Type { get; } = type;

        public Dictionary<string, List<Kv2Version>> Kv2 { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (Dictionary<string, object?> Data, TimeSpan? Ttl)> Kv1 { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (string Credential, TokenPolicy Policy)> Logins { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Kv2Version(int number, Dictionary<string, object?> data, DateTimeOffset createdAt)
    {
        public int Number { get; } = number;

        public Dictionary<string, object?> Data { get; } = data;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset? DeletedAt { get; set; }

        public bool Destroyed { get; set; }
    }

    private sealed class TokenEntry(string token, string accessor, TokenPolicy policy, DateTimeOffset issuedAt, string path)
    {
        public string Token { get; } = token;

        public string Accessor { get; } = accessor;

        public TokenPolicy Policy { get; } = policy;

        public DateTimeOffset IssuedAt { get; } = issuedAt;

        public string Path { get; } = path;

        public DateTimeOffset? ExpiresAt { get; set; }

        public DateTimeOffset? MaxExpiresAt { get; set; }

        public bool Revoked { get; set; }
    }
}

/// <summary>An answer of <see cref="FakeVault"/>: a status and a JSON body.</summary>
public sealed record FakeVaultResponse(int Status, JsonNode Body);
