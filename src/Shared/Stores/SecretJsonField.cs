using System.Text.Json;

namespace KeyVaulting.Shared;

/// <summary>
/// Reads the key from the field of a secret that holds a JSON object (the <c>JsonField</c> setting of every store),
/// and refuses a JSON object when no field is set. Messages name the field and list the secret's field names (a key
/// pasted as a name is masked), never a value: a JSON parser's own message can quote the secret, so it is not passed
/// on. Compiled into the store packages from src/Shared.
/// </summary>
internal static class SecretJsonField
{
    private const int MaxNamesShown = 20;

    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Returns the field <paramref name="field"/> of the JSON object <paramref name="value"/>.</summary>
    /// <param name="value">The secret's text.</param>
    /// <param name="field">The field that holds the key (<c>JsonField</c>).</param>
    /// <param name="sourceName">The source, for the exception.</param>
    /// <param name="described">The secret in messages, for example <c>the secret 'openai' in Azure Key Vault …</c>.</param>
    /// <exception cref="OpenAIKeySourceException">The value is not a JSON object with exactly one string field of that name.</exception>
    public static string Extract(string value, string field, string sourceName, string described)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value, Options);
        }
        catch (JsonException)
        {
            throw Fail(sourceName, $"{described} is not valid JSON, but JsonField is set to '{field}'. Store a JSON object such as {{\"{field}\": \"sk-…\"}}, or remove JsonField to use the whole value as the key.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Fail(sourceName, $"{described} holds JSON that is {Describe(document.RootElement.ValueKind)}, not an object, but JsonField is set to '{field}'. Store a JSON object such as {{\"{field}\": \"sk-…\"}}.");
            }

            return Extract(document.RootElement, field, sourceName, described);
        }
    }

    /// <summary>Returns the field <paramref name="field"/> of a JSON object (Vault's KV data).</summary>
    /// <exception cref="OpenAIKeySourceException">The object has no string field of that name, or has it twice.</exception>
    public static string Extract(JsonElement fields, string field, string sourceName, string described)
    {
        if (!fields.TryGetProperty(field, out var element))
        {
            // A key pasted as a field name would otherwise be repeated in the message.
            var names = fields.EnumerateObject().Select(p => $"'{SecretShapes.Mask(p.Name)}'").ToList();
            var listed = names.Count == 0
                ? "it has no fields"
                : $"its fields are {string.Join(", ", names.Take(MaxNamesShown))}{(names.Count > MaxNamesShown ? $" and {names.Count - MaxNamesShown} more" : string.Empty)} (values not shown)";
            throw Fail(sourceName, $"{described} has no field '{field}' (JsonField; names are case-sensitive); {listed}. Set JsonField to the field that holds the key, or write the key under '{field}'.");
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw Fail(sourceName, $"The field '{field}' (JsonField) of {described} is {Describe(element.ValueKind)}, not a string. Store the key as a string.");
        }

        if (fields.EnumerateObject().Count(p => p.NameEquals(field)) > 1)
        {
            // JSON parsers disagree on which duplicate wins: refuse rather than guess which key is meant.
            throw Fail(sourceName, $"{described} has the field '{field}' (JsonField) more than once, so which value is the key is ambiguous. Keep exactly one '{field}' in the secret.");
        }

        return element.GetString()!;
    }

    /// <summary>
    /// Refuses a JSON object when no <c>JsonField</c> is set: sending <c>{"apiKey": …}</c> to OpenAI as the key would
    /// only fail later, with a less helpful error.
    /// </summary>
    /// <returns><paramref name="value"/> when it is not a JSON object.</returns>
    public static string RejectJsonObject(string value, string sourceName, string described)
    {
        var trimmed = value.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
        {
            return value;
        }

        try
        {
            using var document = JsonDocument.Parse(value, Options);
        }
        catch (JsonException)
        {
            return value;
        }

        throw Fail(sourceName, $"{described} holds a JSON object. Set JsonField to the name of the field that holds the key (for example JsonField = \"apiKey\"), or store the bare key.");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "not a string",
    };

    private static OpenAIKeySourceException Fail(string sourceName, string message)
        => new(sourceName, message.Length > 0 && char.IsLower(message[0]) ? string.Concat(message[..1].ToUpperInvariant(), message.AsSpan(1)) : message, isTransient: false);
}
