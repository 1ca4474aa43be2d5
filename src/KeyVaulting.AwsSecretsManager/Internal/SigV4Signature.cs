namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The intermediate and final results of signing one request. The canonical request can hold the session token:
/// never log it.
/// </summary>
internal sealed class SigV4Signature(string canonicalRequest, string stringToSign, string signedHeaders, string signature, string authorization)
{
    public string CanonicalRequest { get; } = canonicalRequest;

    public string StringToSign { get; } = stringToSign;

    public string SignedHeaders { get; } = signedHeaders;

    public string Signature { get; } = signature;

    public string Authorization { get; } = authorization;
}
