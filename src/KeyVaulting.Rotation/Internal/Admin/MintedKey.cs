namespace KeyVaulting.Rotation.Internal.Admin;

/// <summary>A key OpenAI just minted: its value (shown only this once) and its record.</summary>
internal sealed class MintedKey(string value, string name, OpenAIKeyRecord record)
{
    public string Value { get; } = value;

    public string Name { get; } = name;

    public OpenAIKeyRecord Record { get; } = record;

    public override string ToString() => $"{OpenAIKeyFingerprint.Of(Value)} {Name} ({Record})";
}

/// <summary>One entry of a project's key list, as OpenAI shows it: redacted, with its owner.</summary>
internal sealed record ProjectApiKeyInfo(string Id, string Name, DateTimeOffset CreatedAt, string? OwnerType, string? ServiceAccountId, string? ServiceAccountName);

/// <summary>What a delete call found.</summary>
internal enum DeleteOutcome
{
    Deleted,
    NotFound,
    Refused,
}
