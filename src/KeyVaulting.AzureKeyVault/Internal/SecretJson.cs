using System.Text.Json;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// Reads the key out of a secret that holds a JSON object. Messages name the field, never the content: a JSON
/// parser's own message can quote the secret, so it is not passed on.
/// </summary>
internal static class SecretJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static string ExtractField(string value, string field, string sourceName, string described)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value, Options);
        }
        catch (JsonException)
        {
            throw new OpenAIKeySourceException(
                sourceName,
                $"{Capitalize(described)} is not valid JSON, but JsonField is set to '{field}'. Store a JSON object such as " +
                $"{{\"{field}\": \"sk-…\"}}, or remove JsonField to use the whole value as the key.",
                isTransient: false);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new OpenAIKeySourceException(
                    sourceName,
                    $"{Capitalize(described)} holds JSON that is not an object, but JsonField is set to '{field}'. Store a JSON object such as {{\"{field}\": \"sk-…\"}}.",
                    isTransient: false);
            }

            if (!document.RootElement.TryGetProperty(field, out var element))
            {
                throw new OpenAIKeySourceException(
                    sourceName,
                    $"{Capitalize(described)} is a JSON object without the field '{field}' (JsonField; names are case-sensitive). Fix JsonField or the secret.",
                    isTransient: false);
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                throw new OpenAIKeySourceException(
                    sourceName,
                    $"The field '{field}' of {described} is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not a string. Store the key as a string.",
                    isTransient: false);
            }

            if (document.RootElement.EnumerateObject().Count(p => p.NameEquals(field)) > 1)
            {
                // JSON parsers disagree on which duplicate wins: refuse rather than guess which key is meant.
                throw new OpenAIKeySourceException(
                    sourceName,
                    $"{Capitalize(described)} has the field '{field}' (JsonField) more than once, so which value is the key is ambiguous. Keep exactly one '{field}' in the secret.",
                    isTransient: false);
            }

            return element.GetString()!;
        }
    }

    /// <summary>
    /// Refuses a JSON object when no <c>JsonField</c> is set: sending <c>{"apiKey": …}</c> to OpenAI as the key would
    /// only fail later, with a less helpful error.
    /// </summary>
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

        throw new OpenAIKeySourceException(
            sourceName,
            $"{Capitalize(described)} holds a JSON object. Set JsonField to the name of the field that holds the key " +
            "(for example JsonField = \"apiKey\"), or store the bare key.",
            isTransient: false);
    }

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
