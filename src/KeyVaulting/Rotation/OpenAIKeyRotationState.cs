namespace KeyVaulting;

/// <summary>
/// What a store holds for rotation at one moment: the current key's record, the staged key, and the record of the key
/// the current one replaced, which is revoked at OpenAI once the grace period is over.
/// </summary>
public sealed class OpenAIKeyRotationState
{
    /// <summary>
    /// Gets the store's opaque version of this state (a KV version, a version id, an ETag, a counter): a target's
    /// <c>Try…</c> methods write only while the store is still at it.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>Gets the record of the current key, or <see langword="null"/> when the store holds no key.</summary>
    public OpenAIKeyRecord? Current { get; init; }

    /// <summary>Gets the staged key, or <see langword="null"/> when no rotation is under way.</summary>
    public OpenAIKeyRotationPending? Pending { get; init; }

    /// <summary>Gets the record of the key the current one replaced, until it is revoked; <see langword="null"/> otherwise.</summary>
    public OpenAIKeyRecord? Previous { get; init; }

    /// <summary>Gets when <see cref="Previous"/> stopped being current.</summary>
    public DateTimeOffset? PreviousSupersededAt { get; init; }

    /// <summary>Describes the state without any key's value.</summary>
    /// <returns>The version, the current record, the pending rotation and the previous record.</returns>
    public override string ToString()
        => $"version {Version ?? "(none)"}; current: {Current?.ToString() ?? "(no key)"}; pending: {Pending?.ToString() ?? "(none)"}; previous: {Previous?.ToString() ?? "(none)"}";
}
