using System.ClientModel.Primitives;
using System.Text.Json;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The machine-readable part of OpenAI's error envelope <c>{"error":{"message","type","param","code"}}</c>: its
/// <c>type</c> and <c>code</c>. The message is never kept: OpenAI echoes a masked key in it, and a proxy or an
/// OpenAI-compatible server may echo the whole <c>Authorization</c> header. A type or code is kept only when it looks
/// like one (a short identifier such as <c>invalid_api_key</c>) and not like a secret, so that a server cannot put
/// the key into a log line through them either.
/// </summary>
/// <remarks>
/// The namespace is <c>KeyVaulting.OpenAIClients</c>, not <c>KeyVaulting.OpenAI</c> (the folder), because a
/// <c>KeyVaulting.OpenAI</c> namespace would shadow the SDK's <c>OpenAI</c> namespace in any code under
/// <c>KeyVaulting.*</c>.
/// </remarks>
internal readonly record struct OpenAIErrorBody(string? Type, string? Code)
{
    /// <summary>
    /// The most bytes of an answer's body read to find the error (64 KiB, as the Vault source caps its answers). OpenAI's
    /// error bodies are a few hundred bytes; a longer body is not OpenAI's error and is not parsed.
    /// </summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The longest type or code kept; OpenAI's are at most a few dozen characters.</summary>
    public const int MaxTokenLength = 64;

    private const string InsufficientQuota = "insufficient_quota";

    /// <summary>Gets the kind of quota error this body describes, assuming the status was 429.</summary>
    public OpenAIQuotaKind QuotaKind
        => string.Equals(Code, InsufficientQuota, StringComparison.Ordinal) || string.Equals(Type, InsufficientQuota, StringComparison.Ordinal)
            ? OpenAIQuotaKind.InsufficientQuota
            : OpenAIQuotaKind.RateLimitExceeded; // rate_limit_exceeded, or a 429 that names nothing: transient by HTTP's definition.

    /// <summary>Gets the code, else the type, else a dash: what a log line shows.</summary>
    public string Describe() => Code ?? Type ?? "-";

    public static OpenAIErrorBody Read(PipelineResponse response)
    {
        try
        {
            return Parse(response.BufferContent().ToMemory());
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return default;
        }
    }

    public static async ValueTask<OpenAIErrorBody> ReadAsync(PipelineResponse response, CancellationToken cancellationToken)
    {
        try
        {
            var content = await response.BufferContentAsync(cancellationToken).ConfigureAwait(false);
            return Parse(content.ToMemory());
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return default;
        }
    }

    /// <summary>
    /// Reads the error of an <see cref="HttpClient"/> answer, reading at most <see cref="MaxBytes"/> of its body; the
    /// caller can still read the whole body afterwards.
    /// </summary>
    public static async ValueTask<OpenAIErrorBody> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var content = await BoundedResponseBody.ReadAsync(response, MaxBytes, cancellationToken).ConfigureAwait(false);
            return content is null ? default : Parse(content);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or HttpRequestException)
        {
            return default;
        }
    }

    public static OpenAIErrorBody Parse(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            return new OpenAIErrorBody(TokenOrNull(error, "type"), TokenOrNull(error, "code"));
        }
        catch (JsonException)
        {
            // A proxy's HTML page or a truncated body: nothing machine-readable.
            return default;
        }
    }

    /// <summary>Returns whether a type or code is shown as it is: a short identifier that does not look like a secret.</summary>
    internal static bool IsToken(string value)
        => value.Length is > 0 and <= MaxTokenLength
           && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
           && string.Equals(SecretShapes.Mask(value), value, StringComparison.Ordinal);

    private static string? TokenOrNull(JsonElement error, string name)
        => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { } text && IsToken(text)
            ? text
            : null;
}
