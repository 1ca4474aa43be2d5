namespace KeyVaulting;

/// <summary>
/// The staged side of a rotation in a store: first a claim (who rotates, since when), then the new key with its
/// record, kept apart from the current key until it is promoted.
/// </summary>
public sealed class OpenAIKeyRotationPending
{
    /// <summary>
    /// Gets the rotation's id: the same for every rotator that starts from the same state, so a store's idempotency
    /// token (a Secrets Manager <c>ClientRequestToken</c>) lets only one of them stage. A GUID in its <c>D</c> format.
    /// </summary>
    public required string RotationId { get; init; }

    /// <summary>Gets when the rotation was claimed.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets an opaque, non-secret id of the rotator instance that claimed the rotation.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>
    /// Gets the staged key, or <see langword="null"/> while the rotation is only claimed, or when the store does not
    /// keep staged values (a <c>.env</c> file): a rotator that restarts then revokes that key and mints another.
    /// </summary>
    public OpenAIKey? Key { get; init; }

    /// <summary>Gets the staged key's record, or <see langword="null"/> while the rotation is only claimed.</summary>
    public OpenAIKeyRecord? Record { get; init; }

    /// <summary>Describes the pending rotation without its key's value.</summary>
    /// <returns>The rotation id and the key's fingerprint and record.</returns>
    public override string ToString() => Key is null && Record is null
        ? $"rotation {RotationId}: claimed"
        : $"rotation {RotationId}: staged {Key?.Fingerprint ?? "(value not kept)"}, {Record}";
}
