namespace KeyVaulting.HashiCorpVault.Internal.OpenAI;

/// <summary>
/// One credential of Vault's OpenAI secrets plugin under its lease. The lease id is a credential-like handle (whoever
/// holds it and <c>update</c> on <c>sys/leases/revoke</c> can end the key), so it is never shown; the key is named by
/// its <c>api_key_id</c>.
/// </summary>
internal sealed class VaultOpenAILease
{
    public VaultOpenAILease(string leaseId, string apiKey, string apiKeyId, TimeSpan ttl, bool renewable, DateTimeOffset now)
    {
        LeaseId = leaseId;
        ApiKey = apiKey;
        ApiKeyId = apiKeyId;
        Ttl = ttl;
        Renewable = renewable;
        Extend(ttl, now);
    }

    public string LeaseId { get; }

    public string ApiKey { get; }

    public string ApiKeyId { get; }

    /// <summary>Gets the TTL Vault granted at the read; renewals ask for it again.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>Gets a value indicating whether a renewal can still extend the lease (renewable, and not yet capped by its max TTL).</summary>
    public bool Renewable { get; private set; }

    /// <summary>Gets when Vault ends the lease (and the plugin deletes the service account).</summary>
    public DateTimeOffset EndsAt { get; private set; }

    /// <summary>Gets when the lease is renewed, or the credential replaced: once two thirds of its current lifetime have passed.</summary>
    public DateTimeOffset ActAt { get; private set; }

    /// <summary>Records Vault's answer to a renewal: the lease now lives <paramref name="duration"/> from <paramref name="now"/>.</summary>
    public void Extend(TimeSpan duration, DateTimeOffset now)
    {
        EndsAt = now + duration;
        ActAt = now + (duration * VaultDefaults.RenewAtFractionOfTtl);
        if (duration < Ttl)
        {
            // Vault capped the renewal at the lease's max TTL: a further renewal cannot extend it.
            Renewable = false;
        }
    }

    /// <summary>Records that Vault says the lease can no longer be renewed.</summary>
    public void StopRenewing() => Renewable = false;

    public override string ToString() => $"lease of key id {ApiKeyId} (ends {EndsAt:O})";
}
