namespace KeyVaulting;

/// <summary>
/// The exception a key source throws when its store fails: unreachable, throttled, denied, or holding a value that
/// is not a usable key.
/// </summary>
/// <remarks>
/// Unlike <see cref="OpenAIKeySourceResult.NotFound(string)"/>, a failure stops the chain: the provider keeps serving
/// the last known good key and retries with backoff. The message names the source and what to fix; it never contains
/// a secret. As a safeguard, a part of the message or of the source name that has the shape of a key, a bearer token
/// or a JWT (a key given where a name was expected) is masked.
/// </remarks>
public class OpenAIKeySourceException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceException"/> class.</summary>
    public OpenAIKeySourceException()
        : this("The key source failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceException"/> class.</summary>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    public OpenAIKeySourceException(string message)
        : base(SecretShapes.MaskMessage(message))
    {
        SourceName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceException"/> class.</summary>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    /// <param name="innerException">The store's own error.</param>
    public OpenAIKeySourceException(string message, Exception? innerException)
        : base(SecretShapes.MaskMessage(message), innerException)
    {
        SourceName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceException"/> class.</summary>
    /// <param name="sourceName">The <see cref="IOpenAIKeySource.Name"/> of the failing source.</param>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    /// <param name="isTransient"><see langword="true"/> when retrying later may succeed (timeouts, throttling, 5xx).</param>
    /// <param name="retryAfter">How long the store asked callers to wait, when it said so.</param>
    /// <param name="innerException">The store's own error.</param>
    public OpenAIKeySourceException(string sourceName, string message, bool isTransient, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(SecretShapes.MaskMessage(message), innerException)
    {
        SourceName = sourceName is null ? string.Empty : SecretShapes.MaskName(sourceName);
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the <see cref="IOpenAIKeySource.Name"/> of the failing source.</summary>
    public string SourceName { get; }

    /// <summary>Gets a value indicating whether retrying later may succeed (timeouts, throttling, server errors).</summary>
    public bool IsTransient { get; }

    /// <summary>Gets how long the store asked callers to wait before retrying, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }
}
