using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyVaulting.Rotation.Targets.DotEnv;

/// <summary>
/// The rotation state of a <c>.env</c> file, kept beside it in <c>{file}.rotation.json</c>: key ids, times, a check
/// value of each key (the first 16 hex digits of its SHA-256, to tell whose record matches the file's key) and a
/// counter. It holds no key: the staged key's value is kept only in the rotator's memory.
/// </summary>
internal sealed class DotEnvRotationRecord
{
    public long Counter { get; init; }

    public Entry? Current { get; init; }

    public Entry? Pending { get; init; }

    public Entry? Previous { get; init; }

    public DateTimeOffset? PreviousSupersededAt { get; init; }

    public static string Check(string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexString(hash[..8]).ToLowerInvariant();
    }

    public static DotEnvRotationRecord Parse(byte[] json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not an object");
        return new DotEnvRotationRecord
        {
            Counter = root["counter"]?.GetValue<long>() ?? 0,
            Current = Entry.From(root["current"]),
            Pending = Entry.From(root["pending"]),
            Previous = Entry.From(root["previous"]),
            PreviousSupersededAt = Time(root["previousSupersededAt"]),
        };
    }

    public byte[] ToJson()
    {
        var root = new JsonObject
        {
            ["_comment"] = "KeyVaulting rotation state of the .env file beside it: ids and times, no key. Delete it only when no rotation runs.",
            ["counter"] = Counter,
            ["current"] = Current?.ToJson(),
            ["pending"] = Pending?.ToJson(),
            ["previous"] = Previous?.ToJson(),
            ["previousSupersededAt"] = PreviousSupersededAt?.ToUnixTimeSeconds(),
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static DateTimeOffset? Time(JsonNode? node) => node is null ? null : DateTimeOffset.FromUnixTimeSeconds(node.GetValue<long>());

    /// <summary>One key's record, and for a pending key its rotation.</summary>
    internal sealed class Entry
    {
        public OpenAIKeyRecord Record { get; init; } = new();

        public string? ValueCheck { get; init; }

        public string? RotationId { get; init; }

        public DateTimeOffset? StartedAt { get; init; }

        public string? ClaimedBy { get; init; }

        public bool HasKey { get; init; }

        public static Entry? From(JsonNode? node)
        {
            if (node is not JsonObject o)
            {
                return null;
            }

            return new Entry
            {
                Record = new OpenAIKeyRecord
                {
                    KeyId = o["keyId"]?.GetValue<string>(),
                    ServiceAccountId = o["serviceAccountId"]?.GetValue<string>(),
                    ServiceAccountCreatedForKey = o["serviceAccountCreatedForKey"]?.GetValue<bool>() ?? false,
                    CreatedAt = Time(o["createdAt"]),
                    ExpiresAt = Time(o["expiresAt"]),
                },
                ValueCheck = o["valueCheck"]?.GetValue<string>(),
                RotationId = o["rotationId"]?.GetValue<string>(),
                StartedAt = Time(o["startedAt"]),
                ClaimedBy = o["claimedBy"]?.GetValue<string>(),
                HasKey = o["hasKey"]?.GetValue<bool>() ?? false,
            };
        }

        public JsonObject ToJson() => new()
        {
            ["keyId"] = Record.KeyId,
            ["serviceAccountId"] = Record.ServiceAccountId,
            ["serviceAccountCreatedForKey"] = Record.ServiceAccountCreatedForKey,
            ["createdAt"] = Record.CreatedAt?.ToUnixTimeSeconds(),
            ["expiresAt"] = Record.ExpiresAt?.ToUnixTimeSeconds(),
            ["valueCheck"] = ValueCheck,
            ["rotationId"] = RotationId,
            ["startedAt"] = StartedAt?.ToUnixTimeSeconds(),
            ["claimedBy"] = ClaimedBy,
            ["hasKey"] = HasKey,
        };
    }
}
