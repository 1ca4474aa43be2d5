namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>How a store's secret goes missing: each store answers a read of it with its own "not found".</summary>
public enum StoreAbsence
{
    /// <summary>The secret is there.</summary>
    None,

    /// <summary>
    /// The secret was deleted: Key Vault's 404 <c>SecretNotFound</c>, Secrets Manager's
    /// <c>ResourceNotFoundException</c>, Vault's 404 for a KV path whose metadata was deleted.
    /// </summary>
    DeletedSecret,

    /// <summary>
    /// The version read was deleted while the secret stays: Secrets Manager's <c>ResourceNotFoundException</c> for the
    /// <c>AWSCURRENT</c> stage, Vault's 404 for a soft-deleted KV v2 version (with its <c>deletion_time</c>).
    /// </summary>
    DeletedVersion,
}
