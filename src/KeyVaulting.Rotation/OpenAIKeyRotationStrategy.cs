namespace KeyVaulting.Rotation;

/// <summary>How the rotator mints and revokes keys through the OpenAI Admin API.</summary>
public enum OpenAIKeyRotationStrategy
{
    /// <summary>
    /// Mint a new key for the configured service account and delete the old key. When OpenAI refuses to delete a
    /// service account's key on its own (as its older API did), rotate once more into a new service account and
    /// delete the old account, and go on with <see cref="ServiceAccounts"/>. The default.
    /// </summary>
    Automatic,

    /// <summary>Mint a new key for the configured service account and delete the old key; fail if OpenAI refuses that.</summary>
    ServiceAccountKeys,

    /// <summary>Create a new service account (which comes with its key) for each rotation and delete the old account.</summary>
    ServiceAccounts,
}
