using System.Globalization;

namespace KeyVaulting;

/// <summary>
/// What a rotation target records about a key besides its value: its OpenAI ids and when it was created and expires.
/// Nothing here is secret.
/// </summary>
public sealed class OpenAIKeyRecord
{
    /// <summary>Gets the key's id at OpenAI (<c>key_…</c>), or <see langword="null"/> when unknown (a key put in the store by hand).</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the id of the service account that owns the key (<c>svc_acct_…</c>), or <see langword="null"/> when unknown.</summary>
    public string? ServiceAccountId { get; init; }

    /// <summary>
    /// Gets when the key was created (or, for a key of unknown origin, when the store got it), or
    /// <see langword="null"/> when unknown. The next rotation is due one interval after it, so every instance agrees.
    /// </summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets when OpenAI expires the key, or <see langword="null"/> when it never does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// Gets a value indicating whether the rotator created <see cref="ServiceAccountId"/> for this key (rotation by
    /// service accounts), so that revoking the key deletes the whole account.
    /// </summary>
    public bool ServiceAccountCreatedForKey { get; init; }

    /// <summary>Describes the record: ids and times.</summary>
    /// <returns>For example <c>key key_abc (svc_acct_abc), created 2026-12-02T12:00:00.0000000+00:00</c>.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"key {KeyId ?? "(id unknown)"}{(ServiceAccountId is null ? string.Empty : $" ({(ServiceAccountCreatedForKey ? "own service account " : string.Empty)}{ServiceAccountId})")}, created {(CreatedAt is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : "(unknown)")}");
}
