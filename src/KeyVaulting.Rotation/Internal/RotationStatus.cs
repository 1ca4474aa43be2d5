namespace KeyVaulting.Rotation.Internal;

/// <summary>A rotator's last known state, for its health check: ids, times and messages, never a key.</summary>
internal sealed record RotationStatus(
    DateTimeOffset? LastRunAt,
    OpenAIKeyRotationResult? LastResult,
    string? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? DueAt,
    OpenAIKeyRotationState? State);
