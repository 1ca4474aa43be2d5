namespace KeyVaulting.Provider.Internal;

/// <summary>
/// OpenAI's rejection of the key a provider serves while no source holds a newer one: which key, OpenAI's error code,
/// since when, how many requests it failed and how many reads of the sources ended since. Mutable; guarded by the
/// provider's lock. Ends when the provider serves another key or a request succeeds with this one.
/// </summary>
internal sealed class KeyRejection(OpenAIKey key, string errorCode, DateTimeOffset since, long sinceTimestamp)
{
    public OpenAIKey Key { get; } = key;

    /// <summary>Gets OpenAI's error code (or type) of the first 401, as <c>OpenAIErrorBody.Describe()</c> shows it.</summary>
    public string ErrorCode { get; } = errorCode;

    /// <summary>Gets the wall time of the first 401, for people.</summary>
    public DateTimeOffset Since { get; } = since;

    /// <summary>Gets the monotonic timestamp of the first 401, for durations.</summary>
    public long SinceTimestamp { get; } = sinceTimestamp;

    /// <summary>Gets or sets how many requests OpenAI answered 401 with this key since <see cref="Since"/>.</summary>
    public long Requests { get; set; }

    /// <summary>Gets or sets how many reads of the sources ended since the rejection; spaces the next one.</summary>
    public int Reads { get; set; }

    public KeyRejectionStatus ToStatus(TimeSpan duration) => new(Key, ErrorCode, Since, duration, Requests);
}
