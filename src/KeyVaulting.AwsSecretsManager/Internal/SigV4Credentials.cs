using System.Diagnostics;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>The three parts of AWS credentials the signer needs. Its text form never shows the secrets.</summary>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class SigV4Credentials(string accessKeyId, string secretAccessKey, string? sessionToken)
{
    public string AccessKeyId { get; } = accessKeyId;

    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string SecretAccessKey { get; } = secretAccessKey;

    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? SessionToken { get; } = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;

    public override string ToString() => SessionToken is null ? "AWS credentials" : "AWS temporary credentials";
}
