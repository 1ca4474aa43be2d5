namespace KeyVaulting.Tool.Internal.Rotate;

/// <summary>What <c>rotate</c> or <c>revoke-now</c> did, for <c>--json</c>: fingerprints and ids, never a key.</summary>
internal sealed class RotateReport
{
    public required string Command { get; init; }

    public string? Outcome { get; set; }

    public string? CurrentKeyFingerprint { get; set; }

    public string? CurrentKeyId { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    public List<RotationStep> Steps { get; } = [];

    public string? FailedStep { get; set; }

    public string? Error { get; set; }

    public int ExitCode { get; set; }
}
