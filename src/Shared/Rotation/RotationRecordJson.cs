using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyVaulting.Shared;

/// <summary>
/// How the store packages' rotation targets write what they keep beside a key: an <see cref="OpenAIKeyRecord"/> and
/// a rotation's claim as small JSON objects with snake_case names and times in Unix seconds, the way Vault and AWS
/// write their own metadata. Nothing here is secret. Compiled into the store packages from src/Shared.
/// </summary>
internal static class RotationRecordJson
{
    public const string KeyId = "key_id";
    public const string ServiceAccountId = "service_account_id";
    public const string OwnServiceAccount = "own_service_account";
    public const string CreatedAt = "created_at";
    public const string ExpiresAt = "expires_at";
    public const string ValueCheck = "value_check";
    public const string RotationId = "rotation_id";
    public const string StartedAt = "started_at";
    public const string ClaimedBy = "claimed_by";
    public const string SupersededAt = "superseded_at";

    /// <summary>Writes a record: <c>{"key_id": …, "service_account_id": …, "created_at": …, "expires_at": …}</c>, null fields left out.</summary>
    public static JsonObject Write(OpenAIKeyRecord record)
    {
        var json = new JsonObject();
        Add(json, KeyId, record.KeyId);
        Add(json, ServiceAccountId, record.ServiceAccountId);
        if (record.ServiceAccountCreatedForKey)
        {
            json[OwnServiceAccount] = true;
        }

        Add(json, CreatedAt, record.CreatedAt);
        Add(json, ExpiresAt, record.ExpiresAt);
        return json;
    }

    /// <summary>Reads a record written by <see cref="Write"/>; <see langword="null"/> when <paramref name="node"/> is not an object.</summary>
    /// <exception cref="FormatException">A field has the wrong type.</exception>
    public static OpenAIKeyRecord? Read(JsonNode? node)
        => node is JsonObject json
            ? new OpenAIKeyRecord
            {
                KeyId = Text(json, KeyId),
                ServiceAccountId = Text(json, ServiceAccountId),
                ServiceAccountCreatedForKey = Flag(json, OwnServiceAccount),
                CreatedAt = Time(json, CreatedAt),
                ExpiresAt = Time(json, ExpiresAt),
            }
            : null;

    /// <summary>Adds a rotation's claim to <paramref name="json"/>: its id, start and rotator.</summary>
    public static JsonObject WriteClaim(JsonObject json, OpenAIKeyRotationPending pending)
    {
        json[RotationId] = pending.RotationId;
        json[StartedAt] = pending.StartedAt.ToUnixTimeSeconds();
        Add(json, ClaimedBy, pending.ClaimedBy);
        return json;
    }

    /// <summary>Reads a rotation's claim; <see langword="null"/> when <paramref name="node"/> has no rotation id.</summary>
    /// <exception cref="FormatException">A field has the wrong type.</exception>
    public static OpenAIKeyRotationPending? ReadClaim(JsonNode? node, OpenAIKey? key = null, OpenAIKeyRecord? record = null)
        => node is JsonObject json && Text(json, RotationId) is { Length: > 0 } rotationId
            ? new OpenAIKeyRotationPending
            {
                RotationId = rotationId,
                StartedAt = Time(json, StartedAt) ?? DateTimeOffset.UnixEpoch,
                ClaimedBy = Text(json, ClaimedBy),
                Key = key,
                Record = record,
            }
            : null;

    /// <summary>
    /// A check value of a key (the first 16 hex digits of its SHA-256), stored beside a record so that a key changed
    /// by hand is not mistaken for the one the record describes. It does not reveal the key.
    /// </summary>
    public static string Check(string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexString(hash[..8]).ToLowerInvariant();
    }

    /// <summary>A GUID (format D) derived from the parts: the same on every rotator, usable as an idempotency token.</summary>
    public static string DerivedId(params string[] parts)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)), hash);
        return new Guid(hash[..16]).ToString("D");
    }

    public static string? Text(JsonObject json, string name)
        => json[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => throw new FormatException($"'{name}' is not a string"),
        };

    public static DateTimeOffset? Time(JsonObject json, string name)
        => json[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<long>(out var seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds),
            JsonValue value when value.TryGetValue<double>(out var seconds) => DateTimeOffset.FromUnixTimeSeconds((long)seconds),
            JsonValue value when value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds),
            _ => throw new FormatException($"'{name}' is not a time in Unix seconds"),
        };

    public static bool Flag(JsonObject json, string name)
        => json[name] switch
        {
            null => false,
            JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
            JsonValue value when value.TryGetValue<string>(out var text) => string.Equals(text, "true", StringComparison.OrdinalIgnoreCase),
            _ => throw new FormatException($"'{name}' is not a boolean"),
        };

    /// <summary>Serializes compactly, for a tag or a secret string.</summary>
    public static string Compact(JsonNode json) => json.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static void Add(JsonObject json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json[name] = time.ToUnixTimeSeconds();
        }
    }
}
