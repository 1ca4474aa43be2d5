using System.Security.Cryptography;
using Amazon.Runtime;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// Fake AWS credentials generated at run time (never pasted into source): an access key id, a secret access key
/// and, for temporary credentials, a session token.
/// </summary>
internal sealed record AwsTestIdentity(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public AWSCredentials Credentials => SessionToken is null
        ? new BasicAWSCredentials(AccessKeyId, SecretAccessKey)
        : new SessionAWSCredentials(AccessKeyId, SecretAccessKey, SessionToken);

    /// <summary>The strings that must never appear in a log or an error.</summary>
    public string[] Secrets => SessionToken is null ? [SecretAccessKey] : [SecretAccessKey, SessionToken];

    public static AwsTestIdentity Create(bool temporary = false)
        => new(
            (temporary ? "ASIATEST" : "AKIDTEST") + Random(Upper, 12),
            Random(Base64Chars, 40),
            temporary ? "test-session-" + Guid.NewGuid().ToString("N") + Random(Base64Chars, 40) : null);

    /// <summary>The same access key id with another secret: what a wrong secret access key looks like to AWS.</summary>
    public AwsTestIdentity WithWrongSecret() => this with { SecretAccessKey = Random(Base64Chars, 40) };

    private static string Random(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
