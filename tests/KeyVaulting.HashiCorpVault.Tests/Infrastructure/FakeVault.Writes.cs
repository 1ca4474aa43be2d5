using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>
/// KV version 2 writes as Vault documents them (<c>POST /v1/{mount}/data/{path}</c> with <c>{"options": {"cas": n},
/// "data": {...}}</c>): a new version per write; with <c>cas</c>, the write happens only when <c>n</c> is the current
/// version (0: only when the secret does not exist), else 400 "check-and-set parameter did not match the current
/// version". KV version 1 writes (<c>POST /v1/{mount}/{path}</c>, the body being the secret's fields) replace the
/// secret and answer 204 without a body. Writes need the token's <see cref="TokenPolicy.Write"/>.
/// </summary>
public sealed partial class FakeVault
{
    /// <summary>Gets how many KV writes were refused by check-and-set.</summary>
    public int CasRejections { get; private set; }

    /// <summary>Returns the latest KV v2 version's data and number, or null when the secret does not exist.</summary>
    public (JsonObject Data, int Version)? ReadKv2(string path, string mount = "secret", string ns = "")
    {
        lock (_gate)
        {
            if (!GetMount(ns, mount).Kv2.TryGetValue(path, out var versions) || versions.Count == 0)
            {
                return null;
            }

            var latest = versions[^1];
            return (ToJson(latest.Data), latest.Number);
        }
    }

    /// <summary>Gets the number of the latest version of a KV v2 secret; 0 when it does not exist.</summary>
    public int LatestKv2Version(string path, string mount = "secret", string ns = "")
    {
        lock (_gate)
        {
            return GetMount(ns, mount).Kv2.TryGetValue(path, out var versions) ? versions.Count : 0;
        }
    }

    /// <summary>Returns a KV v1 secret's fields, or null when it does not exist.</summary>
    public JsonObject? ReadKv1(string path, string mount = "secret", string ns = "")
    {
        lock (_gate)
        {
            return GetMount(ns, mount).Kv1.TryGetValue(path, out var secret) ? ToJson(secret.Data) : null;
        }
    }

    private FakeVaultResponse WriteKv1(Mount mount, string fullPath, string path, TokenEntry token, JsonObject? body)
    {
        if (!token.Policy.Write.Contains("*") && !token.Policy.Write.Contains(fullPath))
        {
            return Error(403, "1 error occurred:\n\t* permission denied\n\n");
        }

        if (body is null || body.Count == 0)
        {
            return Error(400, "no data provided");
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in body)
        {
            values[name] = value switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                _ => value.DeepClone(),
            };
        }

        mount.Kv1[path] = (values, null);
        Remember(values);
        return new FakeVaultResponse(204, new JsonObject());
    }

    private FakeVaultResponse WriteKv2(Mount mount, string fullPath, string rest, TokenEntry token, JsonObject? body)
    {
        if (!token.Policy.Write.Contains("*") && !token.Policy.Write.Contains(fullPath))
        {
            return Error(403, "1 error occurred:\n\t* permission denied\n\n");
        }

        if (!rest.StartsWith("data/", StringComparison.Ordinal))
        {
            return Error(404, $"no handler for route \"{fullPath}\". route entry not found.");
        }

        if (body?["data"] is not JsonObject data)
        {
            return Error(400, "no data provided");
        }

        var path = rest["data/".Length..];
        var versions = mount.Kv2.TryGetValue(path, out var existing) ? existing : mount.Kv2[path] = [];
        if (body["options"] is JsonObject options && options["cas"] is JsonValue casValue)
        {
            var cas = casValue.TryGetValue<int>(out var n) ? n : int.Parse(casValue.ToString(), CultureInfo.InvariantCulture);
            if (cas != versions.Count)
            {
                CasRejections++;
                return Error(400, "check-and-set parameter did not match the current version");
            }
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in data)
        {
            values[name] = value switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                _ => value.DeepClone(),
            };
        }

        var version = new Kv2Version(versions.Count + 1, values, time.GetUtcNow());
        versions.Add(version);
        Remember(values);

        var response = Envelope();
        response["data"] = new JsonObject
        {
            ["created_time"] = Format(version.CreatedAt),
            ["custom_metadata"] = null,
            ["deletion_time"] = string.Empty,
            ["destroyed"] = false,
            ["version"] = version.Number,
        };
        return new FakeVaultResponse(200, response);
    }
}
