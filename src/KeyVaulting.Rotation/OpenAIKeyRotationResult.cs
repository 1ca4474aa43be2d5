using System.Globalization;

namespace KeyVaulting.Rotation;

/// <summary>What a rotator run did, and when the next thing is due. Holds fingerprints and ids, never a key.</summary>
public sealed class OpenAIKeyRotationResult
{
    internal OpenAIKeyRotationResult(OpenAIKeyRotationOutcome outcome, DateTimeOffset? nextRunAt, string? currentKeyFingerprint = null, string? currentKeyId = null)
    {
        Outcome = outcome;
        NextRunAt = nextRunAt;
        CurrentKeyFingerprint = currentKeyFingerprint;
        CurrentKeyId = currentKeyId;
    }

    /// <summary>Gets what the run did last.</summary>
    public OpenAIKeyRotationOutcome Outcome { get; }

    /// <summary>Gets when the rotator has something to do next (a rotation due, a grace period over, a claim expired), when known.</summary>
    public DateTimeOffset? NextRunAt { get; }

    /// <summary>Gets the fingerprint of the key this run made current, or <see langword="null"/> when it made none current.</summary>
    public string? CurrentKeyFingerprint { get; }

    /// <summary>Gets the OpenAI id of the current key (<c>key_…</c>), when known.</summary>
    public string? CurrentKeyId { get; }

    /// <summary>Describes the result.</summary>
    /// <returns>The outcome, the key's fingerprint and id, and the next run.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Outcome}{(CurrentKeyFingerprint is null ? string.Empty : $" {CurrentKeyFingerprint}")}{(CurrentKeyId is null ? string.Empty : $" ({CurrentKeyId})")}{(NextRunAt is { } next ? $", next at {next:O}" : string.Empty)}");
}
