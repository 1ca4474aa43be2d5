using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>A role of the fake OpenAI secrets engine: the lease its credentials get.</summary>
public sealed class OpenAIRole
{
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(24);

    public bool Renewable { get; init; } = true;
}

/// <summary>One credential the fake OpenAI secrets engine issued, under its lease.</summary>
public sealed class OpenAILease
{
    public required string LeaseId { get; init; }

    public required string ApiKey { get; init; }

    public required string ApiKeyId { get; init; }

    public required string ServiceAccountId { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; set; }

    public required DateTimeOffset MaxExpiresAt { get; init; }

    public required bool Renewable { get; init; }

    public int Renewals { get; set; }

    /// <summary>Gets how the lease ended: <c>revoke</c> (sys/leases/revoke), <c>expiry</c>, or null while it lives.</summary>
    public string? EndedBy { get; set; }

    public bool IsLive => EndedBy is null;
}

/// <summary>
/// The dynamic side of Vault for the OpenAI secrets plugin (vault-plugin-secrets-openai): <c>GET
/// /v1/{mount}/creds/{role}</c> mints a service account with a key under a new lease (<c>api_key</c>,
/// <c>api_key_id</c>, <c>service_account</c>, <c>service_account_id</c>); <c>sys/leases/renew</c> extends a renewable
/// lease up to its max TTL (with Vault's warning when capped); <c>sys/leases/revoke</c> and the lease's end delete the
/// service account (the <c>onRevoke</c> callback), as the plugin does.
/// </summary>
public sealed partial class FakeVault
{
    private readonly Dictionary<(string Mount, string Role), OpenAIRole> _openAIRoles = [];
    private readonly List<OpenAILease> _leases = [];
    private Func<(string Key, string KeyId, string ServiceAccountId)>? _mint;
    private Action<OpenAILease>? _onRevoke;
    private int _minted;

    /// <summary>Gets every lease issued, in order.</summary>
    public IReadOnlyList<OpenAILease> Leases
    {
        get
        {
            lock (_gate)
            {
                ExpireLeases();
                return [.. _leases];
            }
        }
    }

    /// <summary>Mounts the OpenAI secrets engine at <paramref name="mount"/> with the given roles.</summary>
    /// <param name="mount">The mount path, for example <c>openai</c>.</param>
    /// <param name="roles">The roles by name.</param>
    /// <param name="mint">Mints a key (the plugin creates a service account with a key); default: a generated fake key.</param>
    /// <param name="onRevoke">Called when a lease ends (the plugin deletes the service account).</param>
    public void EnableOpenAI(string mount, IReadOnlyDictionary<string, OpenAIRole> roles, Func<(string Key, string KeyId, string ServiceAccountId)>? mint = null, Action<OpenAILease>? onRevoke = null)
    {
        lock (_gate)
        {
            _mounts[(string.Empty, mount)] = new Mount("openai");
            foreach (var (name, role) in roles)
            {
                _openAIRoles[(mount, name)] = role;
            }

            _mint = mint;
            _onRevoke = onRevoke;
        }
    }

    /// <summary>Revokes a lease from outside (like <c>vault lease revoke</c> by an operator).</summary>
    public void RevokeLease(string leaseId)
    {
        lock (_gate)
        {
            End(_leases.Single(l => l.LeaseId == leaseId), "revoke");
        }
    }

    private FakeVaultResponse ReadOpenAICredentials(Mount mount, string mountName, string fullPath, string rest, TokenEntry token)
    {
        _ = mount;
        if (!token.Policy.Read.Contains("*") && !token.Policy.Read.Contains(fullPath))
        {
            return Error(403, "1 error occurred:\n\t* permission denied\n\n");
        }

        if (!rest.StartsWith("creds/", StringComparison.Ordinal) || !_openAIRoles.TryGetValue((mountName, rest["creds/".Length..]), out var role))
        {
            return Error(400, $"role \"{rest.Split('/').Last()}\" not found");
        }

        ExpireLeases();
        var now = time.GetUtcNow();
        _minted++;
        var (key, keyId, serviceAccountId) = _mint?.Invoke()
            ?? ("sk-svcacct-" + new string('V', 40) + _minted.ToString("D8", CultureInfo.InvariantCulture), $"key_vault{_minted:D4}", $"svc_acct_vault{_minted:D4}");
        var lease = new OpenAILease
        {
            LeaseId = $"{fullPath}/{Guid.NewGuid():N}",
            ApiKey = key,
            ApiKeyId = keyId,
            ServiceAccountId = serviceAccountId,
            IssuedAt = now,
            ExpiresAt = now + role.Ttl,
            MaxExpiresAt = now + role.MaxTtl,
            Renewable = role.Renewable,
        };
        _leases.Add(lease);
        _secrets.Add(key);

        var response = Envelope();
        response["lease_id"] = lease.LeaseId;
        response["lease_duration"] = (long)role.Ttl.TotalSeconds;
        response["renewable"] = role.Renewable;
        response["data"] = new JsonObject
        {
            ["api_key"] = key,
            ["api_key_id"] = keyId,
            ["service_account"] = $"vault-{rest.Split('/').Last()}-{_minted:D4}",
            ["service_account_id"] = serviceAccountId,
        };
        return new FakeVaultResponse(200, response);
    }

    /// <summary><c>sys/leases/renew</c> and <c>sys/leases/revoke</c>; null for any other path.</summary>
    private FakeVaultResponse? HandleLeases(string method, string path, TokenEntry token, JsonObject? body)
    {
        if (path is not ("sys/leases/renew" or "sys/leases/revoke") || method is not ("POST" or "PUT"))
        {
            return null;
        }

        ExpireLeases();
        var leaseId = body?["lease_id"]?.GetValue<string>();
        var lease = _leases.FirstOrDefault(l => l.LeaseId == leaseId);
        if (path == "sys/leases/revoke")
        {
            if (!token.Policy.Write.Contains("*") && !token.Policy.Write.Contains(path))
            {
                return Error(403, "1 error occurred:\n\t* permission denied\n\n");
            }

            if (lease is { IsLive: true })
            {
                End(lease, "revoke");
            }

            return new FakeVaultResponse(204, new JsonObject());
        }

        if (!token.Policy.Write.Contains("*") && !token.Policy.Write.Contains(path))
        {
            return Error(403, "1 error occurred:\n\t* permission denied\n\n");
        }

        if (lease is not { IsLive: true })
        {
            return Error(400, "lease not found");
        }

        if (!lease.Renewable)
        {
            return Error(400, "lease is not renewable");
        }

        var now = time.GetUtcNow();
        var increment = body?["increment"] is JsonValue i && i.TryGetValue<long>(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : lease.ExpiresAt - lease.IssuedAt;
        var expiresAt = now + increment;
        var response = Envelope();
        if (expiresAt > lease.MaxExpiresAt)
        {
            expiresAt = lease.MaxExpiresAt;
            response["warnings"] = new JsonArray($"TTL of \"{increment}\" exceeded the effective max_ttl of \"{lease.MaxExpiresAt - now}\"; TTL value is capped accordingly");
        }

        lease.ExpiresAt = expiresAt;
        lease.Renewals++;
        response["lease_id"] = lease.LeaseId;
        response["renewable"] = true;
        response["lease_duration"] = (long)(expiresAt - now).TotalSeconds;
        return new FakeVaultResponse(200, response);
    }

    /// <summary>Vault's expiration manager: a lease past its end is revoked, and the plugin deletes its service account.</summary>
    private void ExpireLeases()
    {
        var now = time.GetUtcNow();
        foreach (var lease in _leases.Where(l => l.IsLive && now >= l.ExpiresAt))
        {
            End(lease, "expiry");
        }
    }

    private void End(OpenAILease lease, string by)
    {
        lease.EndedBy = by;
        _onRevoke?.Invoke(lease);
    }
}
