namespace KeyVaulting.Tool.Internal.Set;

/// <summary>What <c>keyvaulting set</c> did, for <c>--json</c>: fingerprints and paths, never a key.</summary>
internal sealed class SetResult
{
    public required string Store { get; init; }

    public required string Type { get; init; }

    public string? File { get; set; }

    public string? Variable { get; set; }

    public string? Fingerprint { get; set; }

    public string? Kind { get; set; }

    public string? ReplacedFingerprint { get; set; }

    /// <summary>Gets or sets whether the application's source reads the new key back.</summary>
    public bool Verified { get; set; }

    public List<string> Warnings { get; } = [];

    public string? Error { get; set; }

    public int ExitCode { get; set; }
}
