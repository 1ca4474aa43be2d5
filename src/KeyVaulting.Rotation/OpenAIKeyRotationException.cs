namespace KeyVaulting.Rotation;

/// <summary>
/// A rotation step failed: the OpenAI Admin API refused or failed a call, the new key did not pass its test, or the
/// configuration does not allow the step. The message names the step, the setting and the fix; it never contains a
/// key, and never an answer's body (only its status, <c>type</c> and <c>code</c>).
/// </summary>
public class OpenAIKeyRotationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyRotationException"/> class.</summary>
    public OpenAIKeyRotationException()
        : this("The key rotation failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyRotationException"/> class.</summary>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    public OpenAIKeyRotationException(string message)
        : base(message)
    {
        Step = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyRotationException"/> class.</summary>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    /// <param name="innerException">The cause.</param>
    public OpenAIKeyRotationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Step = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyRotationException"/> class.</summary>
    /// <param name="step">The step that failed: <c>create</c>, <c>stage</c>, <c>test</c>, <c>promote</c>, <c>revoke</c> or <c>cleanup</c>.</param>
    /// <param name="message">What failed and how to fix it. Never a secret.</param>
    /// <param name="isTransient"><see langword="true"/> when a later run may succeed (timeouts, throttling, server errors).</param>
    /// <param name="statusCode">The HTTP status OpenAI answered, when it answered.</param>
    /// <param name="errorType">The <c>error.type</c> of OpenAI's answer, when it had one.</param>
    /// <param name="errorCode">The <c>error.code</c> of OpenAI's answer, when it had one.</param>
    /// <param name="innerException">The cause.</param>
    public OpenAIKeyRotationException(string step, string message, bool isTransient, int? statusCode = null, string? errorType = null, string? errorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Step = step ?? string.Empty;
        IsTransient = isTransient;
        StatusCode = statusCode;
        ErrorType = errorType;
        ErrorCode = errorCode;
    }

    /// <summary>Gets the step that failed, for example <c>create</c>; empty when unknown.</summary>
    public string Step { get; }

    /// <summary>Gets a value indicating whether a later run may succeed.</summary>
    public bool IsTransient { get; }

    /// <summary>Gets the HTTP status OpenAI answered, or <see langword="null"/> when the call failed before an answer.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the <c>error.type</c> of OpenAI's answer, when it had one.</summary>
    public string? ErrorType { get; }

    /// <summary>Gets the <c>error.code</c> of OpenAI's answer, when it had one.</summary>
    public string? ErrorCode { get; }
}
