namespace KeyVaulting.Provider.Internal;

/// <summary>A snapshot of a provider's state, for health checks. Holds the key object but reports only its fingerprint.</summary>
internal readonly record struct OpenAIKeyProviderStatus(
    OpenAIKey? Key,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? NextRefreshAt);
