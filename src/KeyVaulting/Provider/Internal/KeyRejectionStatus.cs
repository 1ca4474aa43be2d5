namespace KeyVaulting.Provider.Internal;

/// <summary>
/// A snapshot of a <see cref="KeyRejection"/>, for the health check: the key (shown by its fingerprint only), OpenAI's
/// error code, since when (wall time), for how long (monotonic) and how many requests failed.
/// </summary>
internal readonly record struct KeyRejectionStatus(OpenAIKey Key, string ErrorCode, DateTimeOffset Since, TimeSpan Duration, long Requests);
