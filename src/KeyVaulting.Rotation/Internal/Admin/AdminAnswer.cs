using System.Text.Json;

namespace KeyVaulting.Rotation.Internal.Admin;

/// <summary>
/// One answer of OpenAI: its status and its body, read up to a cap. Only the machine-readable part of an error
/// (<c>type</c>, <c>code</c>, <c>param</c>) is ever looked at: the message may echo a masked key.
/// </summary>
internal readonly struct AdminAnswer(int status, byte[] body)
{
    public int Status { get; } = status;

    public byte[] Body { get; } = body;

    public bool IsSuccess => Status is >= 200 and < 300;

    public AdminError Error => AdminError.Parse(Body);
}

/// <summary>The <c>type</c>, <c>code</c> and <c>param</c> of OpenAI's error envelope <c>{"error":{…}}</c>; never its message.</summary>
internal readonly record struct AdminError(string? Type, string? Code, string? Param)
{
    /// <summary>Gets the type and code as a log or a message shows them: <c>invalid_request_error/invalid_api_key</c>.</summary>
    public string Describe() => (Type, Code) switch
    {
        (null, null) => "no error type",
        (_, null) => Type!,
        (null, _) => Code!,
        _ => $"{Type}/{Code}",
    };

    public static AdminError Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            return new AdminError(StringOrNull(error, "type"), StringOrNull(error, "code"), StringOrNull(error, "param"));
        }
        catch (JsonException)
        {
            // A proxy's HTML page or a truncated body: nothing machine-readable.
            return default;
        }
    }

    private static string? StringOrNull(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
