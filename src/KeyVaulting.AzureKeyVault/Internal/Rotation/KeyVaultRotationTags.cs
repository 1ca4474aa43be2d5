using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyVaulting.AzureKeyVault.Internal.Rotation;

/// <summary>
/// The tags the rotation keeps on the secret's current version: the key's id, service account and creation time
/// (readable in the portal), the rotation under way, and the replaced key's record until it is revoked. Tags are
/// metadata: no value of a key is ever written to one.
/// </summary>
internal static class KeyVaultRotationTags
{
    public const string Prefix = "KeyVaulting-";
    public const string KeyId = "KeyVaulting-KeyId";
    public const string ServiceAccountId = "KeyVaulting-ServiceAccountId";
    public const string OwnServiceAccount = "KeyVaulting-OwnServiceAccount";
    public const string CreatedAt = "KeyVaulting-CreatedAt";
    public const string Rotation = "KeyVaulting-Rotation";
    public const string PendingKey = "KeyVaulting-PendingKey";
    public const string Previous = "KeyVaulting-Previous";

    /// <summary>The version a rotation's write was based on (the state it read): the versions form a tree.</summary>
    public const string Based = "KeyVaulting-Based";

    /// <summary>Set on a write that lost to another rotator's write based on the same version: it is not part of the state.</summary>
    public const string Withdrawn = "KeyVaulting-Withdrawn";

    /// <summary>Set on a copy of the winning version, written on top of a lost one so that readers get the winner's key.</summary>
    public const string CopyOf = "KeyVaulting-CopyOf";

    /// <summary>Key Vault's longest tag value.</summary>
    public const int MaxTagValueLength = 256;

    private const string VersionField = "version";

    /// <summary>The current key's record: from the tags when the rotator wrote them, else a key put there by hand.</summary>
    public static OpenAIKeyRecord CurrentRecord(IDictionary<string, string> tags, DateTimeOffset? createdOn, DateTimeOffset? expiresOn)
        => !tags.ContainsKey(KeyId) && !tags.ContainsKey(CreatedAt)
            ? new OpenAIKeyRecord { CreatedAt = createdOn, ExpiresAt = expiresOn }
            : new OpenAIKeyRecord
            {
                KeyId = tags.TryGetValue(KeyId, out var id) ? id : null,
                ServiceAccountId = tags.TryGetValue(ServiceAccountId, out var account) ? account : null,
                ServiceAccountCreatedForKey = tags.TryGetValue(OwnServiceAccount, out var own) && string.Equals(own, "true", StringComparison.OrdinalIgnoreCase),
                CreatedAt = tags.TryGetValue(CreatedAt, out var created) && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : createdOn,
                ExpiresAt = expiresOn,
            };

    /// <summary>Writes the current key's record (a key of unknown id gets its creation time, so the tags are never empty).</summary>
    public static void SetCurrent(IDictionary<string, string> tags, OpenAIKeyRecord? record)
    {
        Set(tags, KeyId, record?.KeyId);
        Set(tags, ServiceAccountId, record?.ServiceAccountId);
        Set(tags, OwnServiceAccount, record?.ServiceAccountCreatedForKey == true ? "true" : null);
        Set(tags, CreatedAt, record?.CreatedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary><c>claimed {rotation} by {rotator} at {time}</c> or <c>staged …</c>: the rotation under way, readable in the portal.</summary>
    public static void SetPending(IDictionary<string, string> tags, OpenAIKeyRotationPending? pending)
    {
        if (pending is null)
        {
            tags.Remove(Rotation);
            tags.Remove(PendingKey);
            return;
        }

        tags[Rotation] = string.Create(
            CultureInfo.InvariantCulture,
            $"{(pending.Record is null ? "claimed" : "staged")} {pending.RotationId} by {pending.ClaimedBy ?? "-"} at {pending.StartedAt.ToUnixTimeSeconds()}");
        Set(tags, PendingKey, pending.Record is null ? null : Bounded(RotationRecordJson.Compact(RotationRecordJson.Write(pending.Record))));
    }

    public static OpenAIKeyRotationPending? Pending(IDictionary<string, string> tags)
    {
        if (!tags.TryGetValue(Rotation, out var rotation))
        {
            return null;
        }

        // {claimed|staged} {rotationId} by {rotator} at {unix seconds}
        var parts = rotation.Split(' ');
        if (parts.Length != 6 || parts[2] != "by" || parts[4] != "at" || !long.TryParse(parts[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started))
        {
            throw new FormatException($"the tag {Rotation} is not what the rotation writes");
        }

        return new OpenAIKeyRotationPending
        {
            RotationId = parts[1],
            ClaimedBy = parts[3] == "-" ? null : parts[3],
            StartedAt = DateTimeOffset.FromUnixTimeSeconds(started),
            Record = tags.TryGetValue(PendingKey, out var record) ? RotationRecordJson.Read(JsonNode.Parse(record)) : null,
        };
    }

    /// <summary>The replaced key: its version, when it was replaced and its record.</summary>
    public static void SetPrevious(IDictionary<string, string> tags, string? version, OpenAIKeyRecord? record, DateTimeOffset? supersededAt)
    {
        if (version is null || record is null)
        {
            tags.Remove(Previous);
            return;
        }

        var json = RotationRecordJson.Write(record);
        json[VersionField] = version;
        if (supersededAt is { } at)
        {
            json[RotationRecordJson.SupersededAt] = at.ToUnixTimeSeconds();
        }

        tags[Previous] = Bounded(RotationRecordJson.Compact(json));
    }

    public static (string? Version, OpenAIKeyRecord? Record, DateTimeOffset? SupersededAt) ReadPrevious(IDictionary<string, string> tags)
    {
        if (!tags.TryGetValue(Previous, out var text) || JsonNode.Parse(text) is not JsonObject json)
        {
            return (null, null, null);
        }

        return (RotationRecordJson.Text(json, VersionField), RotationRecordJson.Read(json), RotationRecordJson.Time(json, RotationRecordJson.SupersededAt));
    }

    private static void Set(IDictionary<string, string> tags, string name, string? value)
    {
        if (value is null)
        {
            tags.Remove(name);
        }
        else
        {
            tags[name] = Bounded(value);
        }
    }

    private static string Bounded(string value)
        => value.Length <= MaxTagValueLength
            ? value
            : throw new InvalidOperationException($"A rotation tag would be {value.Length} characters long, more than the {MaxTagValueLength} Key Vault allows; the key's or service account's id is unusually long.");
}
