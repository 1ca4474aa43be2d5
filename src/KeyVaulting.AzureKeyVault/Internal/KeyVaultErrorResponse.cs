using System.Globalization;
using System.Text.Json;
using Azure;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// What Key Vault said about a failed request: its error code, inner error code (for example <c>SecretDisabled</c>,
/// <c>ForbiddenByRbac</c>), message, request id and retry hint. Error bodies never hold a secret's value.
/// </summary>
internal sealed class KeyVaultErrorResponse
{
    private const int MaxMessageLength = 300;

    private KeyVaultErrorResponse(int status, string? code, string? innerCode, string? message, string? requestId, TimeSpan? retryAfter)
    {
        Status = status;
        Code = code;
        InnerCode = innerCode;
        Message = message;
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    public int Status { get; }

    public string? Code { get; }

    public string? InnerCode { get; }

    /// <summary>Gets the first line of Key Vault's message, shortened.</summary>
    public string? Message { get; }

    public string? RequestId { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets <c>403 Forbidden/SecretDisabled</c>-style text for messages.</summary>
    public string Describe()
    {
        var text = Status.ToString(CultureInfo.InvariantCulture);
        if (Code is not null)
        {
            text += " " + Code;
        }

        if (InnerCode is not null)
        {
            text += "/" + InnerCode;
        }

        if (RequestId is not null)
        {
            text += ", request id " + RequestId;
        }

        return text;
    }

    public static KeyVaultErrorResponse From(RequestFailedException exception, DateTimeOffset now)
    {
        var response = exception.GetRawResponse();
        string? code = exception.ErrorCode;
        string? innerCode = null;
        string? message = null;
        string? requestId = null;
        TimeSpan? retryAfter = null;

        if (response is not null)
        {
            (code, innerCode, message) = ParseBody(response, code);
            requestId = response.Headers.TryGetValue("x-ms-request-id", out var id) ? id : null;
            retryAfter = RetryAfterHeader.Parse(response, now);
        }

        return new KeyVaultErrorResponse(exception.Status, code, innerCode, message, requestId, retryAfter);
    }

    private static (string? Code, string? InnerCode, string? Message) ParseBody(Response response, string? code)
    {
        try
        {
            var content = response.Content;
            if (content is null || content.ToMemory().IsEmpty)
            {
                return (code, null, null);
            }

            using var document = JsonDocument.Parse(content.ToMemory());
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !TryGetProperty(document.RootElement, "error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return (code, null, null);
            }

            code = GetString(error, "code") ?? code;
            var message = Shorten(GetString(error, "message"));
            string? innerCode = null;
            if ((TryGetProperty(error, "innererror", out var inner) || TryGetProperty(error, "innerError", out inner))
                && inner.ValueKind == JsonValueKind.Object)
            {
                innerCode = GetString(inner, "code");
            }

            return (code, innerCode, message);
        }
        catch (JsonException)
        {
            // Not Key Vault's JSON (a proxy or gateway page): the status code says enough.
            return (code, null, null);
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? GetString(JsonElement element, string name)
        => TryGetProperty(element, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Shorten(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        // Key Vault's messages hold no secret; text from anything else in between may echo the token or a key.
        var line = SecretShapes.Mask(message.Split(['\r', '\n'], 2)[0].Trim());
        return line.Length <= MaxMessageLength ? line : line[..MaxMessageLength] + "…";
    }
}
