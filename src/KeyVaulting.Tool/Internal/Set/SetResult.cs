namespace KeyVaulting.Tool.Internal.Set;

/// <summary>What <c>keyvaulting set</c> did, for <c>--json</c>: fingerprints and paths, never a key.</summary>
internal sealed class SetResult
{
    public required string Store { get; init; }

    public required string Type { get; init; }

    public string? File { get; set; }

    public string? Variable { get; set; }

    /// <summary>Gets or sets the vault's secret written (path or id, field, address).</summary>
    public string? Location { get; set; }

    /// <summary>Gets or sets the new current version the vault gave the key (none for KV version 1).</summary>
    public string? Version { get; set; }

    public string? Fingerprint { get; set; }

    public string? Kind { get; set; }

    public string? ReplacedFingerprint { get; set; }

    /// <summary>Gets or sets whether the application's source reads the new key back.</summary>
    public bool Verified { get; set; }

    public List<string> Warnings { get; } = [];

    public string? Error { get; set; }

    public int ExitCode { get; set; }
}
