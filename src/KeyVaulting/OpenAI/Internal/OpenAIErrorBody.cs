using System.ClientModel.Primitives;
using System.Text.Json;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The machine-readable part of OpenAI's error envelope <c>{"error":{"message","type","param","code"}}</c>: its
/// <c>type</c> and <c>code</c>. The message is never kept: OpenAI echoes a masked key in it.
/// </summary>
/// <remarks>
/// The namespace is <c>KeyVaulting.OpenAIClients</c>, not <c>KeyVaulting.OpenAI</c> (the folder), because a
/// <c>KeyVaulting.OpenAI</c> namespace would shadow the SDK's <c>OpenAI</c> namespace in any code under
/// <c>KeyVaulting.*</c>.
/// </remarks>
internal readonly record struct OpenAIErrorBody(string? Type, string? Code)
{
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

    public static async ValueTask<OpenAIErrorBody> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            // Buffers the content, so that the caller can still read the body afterwards.
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Parse(content);
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

            return new OpenAIErrorBody(StringOrNull(error, "type"), StringOrNull(error, "code"));
        }
        catch (JsonException)
        {
            // A proxy's HTML page or a truncated body: nothing machine-readable.
            return default;
        }
    }

    private static string? StringOrNull(JsonElement error, string name)
        => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
