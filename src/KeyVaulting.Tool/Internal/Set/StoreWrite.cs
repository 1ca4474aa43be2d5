namespace KeyVaulting.Tool.Internal.Set;

/// <summary>What a vault's write of a key gave: where it went and the version the store numbered it with.</summary>
/// <param name="Location">The secret written, for the output: <c>secret/data/apps/chat (field api_key) at https://vault:8200/</c>.</param>
/// <param name="Version">The new current version, or null when the store keeps no versions (KV version 1).</param>
internal sealed record StoreWrite(string Location, string? Version);
