using System.Text.Json;

namespace KeyVaulting.AwsSecretsManager.Internal.Rotation;

/// <summary>
/// The request bodies and answers of the Secrets Manager operations a rotation uses besides <c>GetSecretValue</c>:
/// <c>DescribeSecret</c> (which version holds which staging label), <c>PutSecretValue</c> (a new version with a
/// <c>ClientRequestToken</c> and its labels) and <c>UpdateSecretVersionStage</c> (move or remove a label, on the
/// condition that <c>RemoveFromVersionId</c> still holds it).
/// </summary>
internal static class SecretsManagerRotationOperations
{
    public const string DescribeSecret = "secretsmanager.DescribeSecret";
    public const string PutSecretValue = "secretsmanager.PutSecretValue";
    public const string UpdateSecretVersionStage = "secretsmanager.UpdateSecretVersionStage";

    public const string Current = "AWSCURRENT";
    public const string Pending = "AWSPENDING";
    public const string Previous = "AWSPREVIOUS";

    public static byte[] DescribeBody(string secretId) => Write(writer => writer.WriteString("SecretId", secretId));

    public static byte[] GetVersionBody(string secretId, string versionId) => Write(writer =>
    {
        writer.WriteString("SecretId", secretId);
        writer.WriteString("VersionId", versionId);
    });

    /// <summary>The body of a <c>PutSecretValue</c>: it holds the secret string (a key); the caller clears it.</summary>
    public static byte[] PutBody(string secretId, string clientRequestToken, string secretString, string stage) => Write(writer =>
    {
        writer.WriteString("SecretId", secretId);
        writer.WriteString("ClientRequestToken", clientRequestToken);
        writer.WriteString("SecretString", secretString);
        writer.WriteStartArray("VersionStages");
        writer.WriteStringValue(stage);
        writer.WriteEndArray();
    });

    public static byte[] UpdateStageBody(string secretId, string stage, string? moveTo, string? removeFrom) => Write(writer =>
    {
        writer.WriteString("SecretId", secretId);
        writer.WriteString("VersionStage", stage);
        if (moveTo is not null)
        {
            writer.WriteString("MoveToVersionId", moveTo);
        }

        if (removeFrom is not null)
        {
            writer.WriteString("RemoveFromVersionId", removeFrom);
        }
    });

    /// <summary>Reads a <c>DescribeSecret</c> answer: the version holding each label, and when the secret last changed.</summary>
    /// <exception cref="JsonException">The answer is not Secrets Manager's JSON.</exception>
    public static SecretLabels ReadLabels(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? current = null, pending = null, previous = null;
        if (root.TryGetProperty("VersionIdsToStages", out var versions) && versions.ValueKind == JsonValueKind.Object)
        {
            foreach (var version in versions.EnumerateObject())
            {
                if (version.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var stage in version.Value.EnumerateArray())
                {
                    switch (stage.GetString())
                    {
                        case Current:
                            current = version.Name;
                            break;
                        case Pending:
                            pending = version.Name;
                            break;
                        case Previous:
                            previous = version.Name;
                            break;
                    }
                }
            }
        }

        DateTimeOffset? lastChanged = root.TryGetProperty("LastChangedDate", out var changed) && changed.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(changed.GetDouble() * 1000))
            : null;
        var deleted = root.TryGetProperty("DeletedDate", out var deletedDate) && deletedDate.ValueKind == JsonValueKind.Number;
        return new SecretLabels(current, pending, previous, lastChanged, deleted);
    }

    /// <summary>Reads a <c>GetSecretValue</c> answer: the secret string (a secret: the caller forgets it) and the version's creation time.</summary>
    /// <exception cref="JsonException">The answer is not Secrets Manager's JSON.</exception>
    public static (string? SecretString, DateTimeOffset? CreatedDate) ReadVersion(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var text = root.TryGetProperty("SecretString", out var secretString) && secretString.ValueKind == JsonValueKind.String ? secretString.GetString() : null;
        DateTimeOffset? created = root.TryGetProperty("CreatedDate", out var date) && date.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(date.GetDouble() * 1000))
            : null;
        return (text, created);
    }

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>Which version holds each rotation label, and when the secret last changed (a label moved counts).</summary>
internal sealed record SecretLabels(string? Current, string? Pending, string? Previous, DateTimeOffset? LastChanged, bool ScheduledForDeletion)
{
    /// <summary>The rotation state's version: the three labels' versions, which every write of a rotation changes.</summary>
    public string Version => $"{Current ?? "-"}|{Pending ?? "-"}|{Previous ?? "-"}";

    public static (string? Current, string? Pending, string? Previous) Parse(string? version)
    {
        var parts = (version ?? string.Empty).Split('|');
        return parts.Length == 3
            ? (None(parts[0]), None(parts[1]), None(parts[2]))
            : throw new ArgumentException("The expected state was not read from this target.", nameof(version));

        static string? None(string part) => part == "-" ? null : part;
    }
}
