using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyVaulting.AwsSecretsManager.Internal.Rotation;

/// <summary>
/// What a version of the secret holds for rotation, in its <c>SecretString</c>: a JSON object with the key in the
/// source's <c>JsonField</c> and, in <c>keyvaulting</c>, the key's record and the rotation that staged it. A claim
/// (a rotation started, no key yet) and a discarded rotation are versions without the key field, which the source
/// never reads: only <c>AWSCURRENT</c> is served.
/// </summary>
internal sealed class SecretVersionContent
{
    public const string MetadataField = "keyvaulting";
    public const string DiscardedField = "discarded";

    private SecretVersionContent(VersionKind kind, string? value, JsonObject? metadata)
    {
        Kind = kind;
        Value = value;
        Metadata = metadata;
    }

    public VersionKind Kind { get; }

    /// <summary>Gets the key, for <see cref="VersionKind.Key"/>: a secret.</summary>
    public string? Value { get; }

    public JsonObject? Metadata { get; }

    /// <summary>Gets the key's record when the rotator wrote this version; null for a key put there by hand.</summary>
    public OpenAIKeyRecord? Record => Kind == VersionKind.Key && Metadata is not null && RotationRecordJson.Text(Metadata, RotationRecordJson.KeyId) is not null
        ? RotationRecordJson.Read(Metadata)
        : null;

    /// <summary>Reads a version's secret string.</summary>
    /// <exception cref="FormatException">The metadata is not what the rotation writes.</exception>
    public static SecretVersionContent Parse(string? secretString, string jsonField)
    {
        JsonObject? json = null;
        if (secretString is { Length: > 1 } text && text.TrimStart().StartsWith('{'))
        {
            try
            {
                json = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                // Not JSON: a key put there by hand, whatever it is.
            }
        }

        if (json is null)
        {
            return new SecretVersionContent(string.IsNullOrEmpty(secretString) ? VersionKind.Other : VersionKind.Key, secretString, metadata: null);
        }

        var metadata = json[MetadataField] as JsonObject;
        var value = json[jsonField] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        if (value is not null)
        {
            return new SecretVersionContent(VersionKind.Key, value, metadata);
        }

        if (metadata is not null && RotationRecordJson.Flag(metadata, DiscardedField))
        {
            return new SecretVersionContent(VersionKind.Discarded, null, metadata);
        }

        return metadata is not null && RotationRecordJson.Text(metadata, RotationRecordJson.RotationId) is not null
            ? new SecretVersionContent(VersionKind.Claim, null, metadata)
            : new SecretVersionContent(VersionKind.Other, null, metadata);
    }

    /// <summary>A staged key's version: the key, its record and its rotation.</summary>
    public static string ForKey(string jsonField, string value, OpenAIKeyRotationPending pending)
        => RotationRecordJson.Compact(new JsonObject
        {
            [jsonField] = value,
            [MetadataField] = RotationRecordJson.WriteClaim(RotationRecordJson.Write(pending.Record ?? new OpenAIKeyRecord()), pending),
        });

    /// <summary>A claim's version: the rotation, no key.</summary>
    public static string ForClaim(OpenAIKeyRotationPending pending)
        => RotationRecordJson.Compact(new JsonObject { [MetadataField] = RotationRecordJson.WriteClaim(new JsonObject(), pending) });

    /// <summary>A discarded rotation's version: it takes AWSPENDING so that the next rotation's id differs.</summary>
    public static string ForDiscarded(string? rotationId)
    {
        var metadata = new JsonObject { [DiscardedField] = true };
        if (rotationId is not null)
        {
            metadata[RotationRecordJson.RotationId] = rotationId;
        }

        return RotationRecordJson.Compact(new JsonObject { [MetadataField] = metadata });
    }
}

/// <summary>What a version of the secret is, for rotation.</summary>
internal enum VersionKind
{
    /// <summary>Holds a key (written by the rotator, or by hand).</summary>
    Key,

    /// <summary>A rotation's claim, before its key is minted.</summary>
    Claim,

    /// <summary>A rotation rolled back or abandoned.</summary>
    Discarded,

    /// <summary>Anything else: not the rotation's.</summary>
    Other,
}
