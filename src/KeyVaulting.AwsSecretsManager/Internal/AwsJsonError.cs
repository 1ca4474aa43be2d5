using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// An error answer of an <c>awsJson1_1</c> service such as Secrets Manager: its error code, message and request id.
/// </summary>
/// <remarks>
/// The code comes from the <c>X-Amzn-ErrorType</c> header, else the body's top-level <c>code</c>, else its
/// <c>__type</c>; a namespace before <c>#</c> and anything after <c>:</c> are dropped (the rules of AWS's Smithy
/// protocol tests for <c>awsJson1_1</c>).
/// </remarks>
internal sealed class AwsJsonError
{
    public const string ErrorTypeHeader = "X-Amzn-ErrorType";
    public const string RequestIdHeader = "x-amzn-RequestId";

    private const int MaxMessageLength = 400;

    private AwsJsonError(string? code, string? message, string? requestId)
    {
        Code = code;
        Message = message;
        RequestId = requestId;
    }

    /// <summary>Gets the error code without namespace, for example <c>ResourceNotFoundException</c>; null when absent.</summary>
    public string? Code { get; }

    /// <summary>Gets AWS's message, raw: sanitize it with <see cref="SafeMessage"/> before showing it.</summary>
    public string? Message { get; }

    /// <summary>Gets AWS's request id, for support cases.</summary>
    public string? RequestId { get; }

    public static AwsJsonError Parse(HttpResponseHeaders headers, ReadOnlySpan<byte> body)
    {
        string? code = null;
        string? message = null;
        if (headers.TryGetValues(ErrorTypeHeader, out var typeValues))
        {
            code = NormalizeCode(typeValues.FirstOrDefault());
        }

        if (TryParseBody(body, out var bodyCode, out var bodyMessage))
        {
            code ??= bodyCode;
            message = bodyMessage;
        }

        var requestId = headers.TryGetValues(RequestIdHeader, out var ids) ? ids.FirstOrDefault() : null;
        return new AwsJsonError(code, message, requestId);
    }

    /// <summary>Drops a namespace prefix (<c>…#</c>) and a URI suffix (<c>:…</c>) from a raw error type.</summary>
    public static string? NormalizeCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        code = code.Trim();
        return code.Length == 0 ? null : code;
    }

    /// <summary>
    /// AWS's message made safe to show: only its first paragraph (signature errors go on with the canonical request,
    /// which holds the session token), control characters removed, the credentials' secrets masked, and shortened.
    /// </summary>
    public string? SafeMessage(SigV4Credentials? credentials)
    {
        if (string.IsNullOrWhiteSpace(Message))
        {
            return null;
        }

        var text = Message;
        if (credentials is not null)
        {
            text = Mask(text, credentials.SecretAccessKey);
            text = Mask(text, credentials.SessionToken);
        }

        // Secrets the source does not know (the key the secret holds, a bearer token) by their shape.
        text = SecretShapes.Mask(text);

        var paragraph = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (paragraph >= 0)
        {
            text = text[..paragraph];
        }

        var clean = new StringBuilder(Math.Min(text.Length, MaxMessageLength));
        foreach (var c in text)
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        text = clean.ToString().Trim();
        if (text.Length > MaxMessageLength)
        {
            text = string.Concat(text.AsSpan(0, MaxMessageLength), "…");
        }

        return text.Length == 0 ? null : text;
    }

    private static string Mask(string text, string? secret)
        => string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);

    private static bool TryParseBody(ReadOnlySpan<byte> body, out string? code, out string? message)
    {
        code = null;
        message = null;
        if (body.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            string? codeProperty = null;
            string? typeProperty = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                if (property.NameEquals("code"))
                {
                    codeProperty = property.Value.GetString();
                }
                else if (property.NameEquals("__type"))
                {
                    typeProperty = property.Value.GetString();
                }
                else if (string.Equals(property.Name, "message", StringComparison.OrdinalIgnoreCase))
                {
                    message = property.Value.GetString();
                }
            }

            code = NormalizeCode(codeProperty) ?? NormalizeCode(typeProperty);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
