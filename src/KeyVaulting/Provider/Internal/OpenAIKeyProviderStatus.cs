namespace KeyVaulting.Provider.Internal;

/// <summary>
/// A snapshot of a provider's state, for health checks. Holds the key object but reports only its fingerprint.
/// <paramref name="LastSuccessAt"/> is wall time, for people; <paramref name="SinceLastSuccess"/> is measured on the
/// monotonic clock, for decisions (a step of the wall clock does not change it). <paramref name="Rejection"/> is set
/// while OpenAI rejects <paramref name="Key"/> and no source holds a newer one.
/// </summary>
internal readonly record struct OpenAIKeyProviderStatus(
    OpenAIKey? Key,
    DateTimeOffset? LastSuccessAt,
    TimeSpan? SinceLastSuccess,
    string? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? NextRefreshAt,
    KeyRejectionStatus? Rejection = null);
