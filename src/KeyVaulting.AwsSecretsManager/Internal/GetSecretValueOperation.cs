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
    /// <paramref name="jsonField"/> field when set. The version is <c>VersionId</c>.
    /// </summary>
    /// <exception cref="OpenAIKeySourceException">The answer holds no usable text; the message never shows any of it.</exception>
    public static OpenAIKeySourceResult ReadResponse(string sourceName, ReadOnlySpan<byte> body, string? jsonField)
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

        text = jsonField is null
            ? SecretJsonField.RejectJsonObject(text, sourceName, "The secret")
            : SecretJsonField.Extract(text, jsonField, sourceName, "the secret");

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

    private static OpenAIKeySourceException Invalid(string sourceName, string problem)
        => new(sourceName, problem, isTransient: false);
}
