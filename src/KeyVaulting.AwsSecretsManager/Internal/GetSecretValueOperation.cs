using System.Text;
using System.Text.Json;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The <c>GetSecretValue</c> operation of the Secrets Manager JSON protocol (<c>awsJson1_1</c>): its request body and
/// the reading of its answer.
/// </summary>
internal static class GetSecretValueOperation
{
    public const string Target = "secretsmanager.GetSecretValue";
    public const string ContentType = "application/x-amz-json-1.1";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary><c>{"SecretId": …, "VersionId": …}</c> or <c>{"SecretId": …, "VersionStage": …}</c>.</summary>
    public static byte[] CreateRequestBody(string secretId, string? versionId, string? versionStage)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("SecretId", secretId);
            if (versionId is not null)
            {
                writer.WriteString("VersionId", versionId);
            }
            else if (versionStage is not null)
            {
                writer.WriteString("VersionStage", versionStage);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a successful answer: <c>SecretString</c>, or <c>SecretBinary</c> decoded from base64 as UTF-8, then the
    /// <paramref name="jsonKey"/> property when set. The version is <c>VersionId</c>.
    /// </summary>
    /// <exception cref="OpenAIKeySourceException">The answer holds no usable text; the message never shows any of it.</exception>
    public static OpenAIKeySourceResult ReadResponse(string sourceName, ReadOnlySpan<byte> body, string? jsonKey)
    {
        string? text;
        string? versionId;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(sourceName, "the answer to GetSecretValue is not a JSON object. Check ServiceUrl: it must be a Secrets Manager endpoint.");
            }

            versionId = root.TryGetProperty("VersionId", out var version) && version.ValueKind == JsonValueKind.String ? version.GetString() : null;
            text = ReadSecretText(sourceName, root);
        }
        catch (JsonException)
        {
            // The parser's message quotes the offending characters: they may be part of the secret.
            throw Invalid(sourceName, "the answer to GetSecretValue is not valid JSON. Check ServiceUrl: it must be a Secrets Manager endpoint.");
        }

        if (jsonKey is not null)
        {
            text = ReadJsonProperty(sourceName, text, jsonKey);
        }
        else if (text.TrimStart().StartsWith('{'))
        {
            throw Invalid(sourceName, "the secret is a JSON object, not a bare key. Set JsonKey to the property that holds the key, for example \"apiKey\".");
        }

        return OpenAIKeySourceResult.Found(text, versionId);
    }

    private static string ReadSecretText(string sourceName, JsonElement root)
    {
        if (root.TryGetProperty("SecretString", out var secretString) && secretString.ValueKind == JsonValueKind.String)
        {
            return secretString.GetString()!;
        }

        if (root.TryGetProperty("SecretBinary", out var secretBinary) && secretBinary.ValueKind == JsonValueKind.String)
        {
            byte[] bytes;
            try
            {
                bytes = secretBinary.GetBytesFromBase64();
            }
            catch (FormatException)
            {
                throw Invalid(sourceName, "SecretBinary in the answer is not base64.");
            }

            try
            {
                var span = bytes.AsSpan();
                if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    span = span[3..];
                }

                return StrictUtf8.GetString(span);
            }
            catch (DecoderFallbackException)
            {
                throw Invalid(sourceName, "the secret is binary (SecretBinary) and is not UTF-8 text. Store the key as text (SecretString).");
            }
            finally
            {
                Array.Clear(bytes);
            }
        }

        throw Invalid(sourceName, "the secret version has neither SecretString nor SecretBinary. Put the key in the secret.");
    }

    private static string ReadJsonProperty(string sourceName, string text, string jsonKey)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Invalid(sourceName, $"JsonKey is set to '{jsonKey}', but the secret is not JSON. Store a JSON object such as {{\"{jsonKey}\": \"sk-…\"}}, or remove JsonKey.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(sourceName, $"JsonKey is set to '{jsonKey}', but the secret is JSON {Describe(document.RootElement.ValueKind)}, not an object.");
            }

            if (document.RootElement.TryGetProperty(jsonKey, out var property))
            {
                if (property.ValueKind != JsonValueKind.String)
                {
                    throw Invalid(sourceName, $"the property '{jsonKey}' of the secret is {Describe(property.ValueKind)}, not a string.");
                }

                // JSON parsers disagree on which duplicate wins: refuse rather than guess which key is meant.
                return document.RootElement.EnumerateObject().Count(p => p.NameEquals(jsonKey)) == 1
                    ? property.GetString()!
                    : throw Invalid(sourceName, $"the secret has the property '{jsonKey}' (setting JsonKey) more than once, so which value is the key is ambiguous. Keep exactly one '{jsonKey}' in the secret.");
            }

            var near = document.RootElement.EnumerateObject()
                .Select(p => p.Name)
                .FirstOrDefault(n => string.Equals(n, jsonKey, StringComparison.OrdinalIgnoreCase));
            throw Invalid(
                sourceName,
                near is null
                    ? $"the secret has no property '{jsonKey}' (setting JsonKey). Add it to the secret or fix JsonKey."
                    : $"the secret has no property '{jsonKey}' (setting JsonKey); names are case-sensitive: did you mean '{near}'?");
        }
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

    private static OpenAIKeySourceException Invalid(string sourceName, string problem)
        => new(sourceName, problem, isTransient: false);
}
