using System.Globalization;
using System.Text.Json;
using Azure;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// What Key Vault said about a failed request, as the Azure SDK parsed it: <see cref="RequestFailedException.ErrorCode"/>,
/// the first line of the SDK's message (Key Vault's own message), the request id and the retry hint from the headers.
/// Only the inner error code (<c>SecretDisabled</c>, <c>ForbiddenByRbac</c>, <c>ForbiddenByFirewall</c>), which
/// Azure.Core keeps internal (<c>ResponseError.InnerError</c>), is read from the body the SDK already buffered.
/// </summary>
internal sealed record KeyVaultError(int Status, string? Code, string? InnerCode, string? Message, string? RequestId, TimeSpan? RetryAfter)
{
    private const int MaxMessageLength = 300;

    /// <summary>The SDK's message when it could not parse the error: nothing of Key Vault's in it.</summary>
    private const string UnparsedMessage = "Service request failed.";

    /// <summary>Gets <c>403 Forbidden/SecretDisabled, request id …</c>-style text for messages.</summary>
    public string Describe()
        => string.Create(CultureInfo.InvariantCulture, $"{Status}{(Code is null ? null : " " + Code)}{(InnerCode is null ? null : "/" + InnerCode)}{(RequestId is null ? null : ", request id " + RequestId)}");

    public static KeyVaultError From(RequestFailedException exception, DateTimeOffset now)
    {
        var response = exception.GetRawResponse();
        return new KeyVaultError(
            exception.Status,
            exception.ErrorCode,
            InnerCodeOf(response),
            FirstLine(exception.Message),
            response is not null && response.Headers.TryGetValue("x-ms-request-id", out var id) ? id : null,
            response is null ? null : Shared.RetryAfter.Parse(name => response.Headers.TryGetValue(name, out var value) ? value : null, now));
    }

    /// <summary>
    /// The first line of the SDK's message is Key Vault's message; the rest repeats the raw body, which something in
    /// between (a proxy, a debugging endpoint) could fill with the request's token or a key, so it is never shown.
    /// </summary>
    private static string? FirstLine(string message)
    {
        var line = message.Split(['\r', '\n'], 2)[0].Trim();
        if (line.Length == 0 || line == UnparsedMessage)
        {
            return null;
        }

        line = SecretShapes.Mask(line);
        return line.Length <= MaxMessageLength ? line : line[..MaxMessageLength] + "…";
    }

    private static string? InnerCodeOf(Response? response)
    {
        try
        {
            if (response?.Content is not { } content || content.ToMemory().IsEmpty)
            {
                return null;
            }

            using var document = JsonDocument.Parse(content.ToMemory());
            return document.RootElement is { ValueKind: JsonValueKind.Object } root
                   && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                   && (error.TryGetProperty("innererror", out var inner) || error.TryGetProperty("innerError", out inner))
                   && inner.ValueKind == JsonValueKind.Object
                   && inner.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not Key Vault's JSON (a proxy or gateway page), or not buffered: the status and code say enough.
            return null;
        }
    }
}
