using System.Globalization;
using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Signs requests with AWS Signature Version 4 through AWSSDK.Core's own signer (<see cref="AWSSigV4Signer"/>), the
/// signature in the <c>Authorization</c> header. This class only says what is signed: the request as it goes on the
/// wire (its punycode host, the headers this package sets), the body, and the time of the source's
/// <see cref="TimeProvider"/>. The SDK adds <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c> and, for temporary
/// credentials, <c>X-Amz-Security-Token</c>, and signs them.
/// </summary>
internal static class AwsRequestSigner
{
    /// <summary>The headers the signer sets; any value already on the request is replaced.</summary>
    private static readonly string[] SigningHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"];

    /// <summary>Headers that proxies and handlers may add, change or drop: never signed (as in the AWS SDKs).</summary>
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "expect", "content-length", "transfer-encoding", "connection", "x-amzn-trace-id",
        "traceparent", "tracestate", "baggage", "request-id", "correlation-context", "host",
    };

    /// <summary>
    /// Signs <paramref name="request"/> in place: sets <c>Host</c>, <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c>,
    /// <c>X-Amz-Security-Token</c> for temporary credentials, and <c>Authorization</c> over every other header already
    /// on the request but those handlers may change.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, SigV4Credentials credentials, string region, string service, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        foreach (var name in SigningHeaders)
        {
            request.Headers.Remove(name);
        }

        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = WireUri(uri), Content = body };
        AddHeaders(signing, request.Headers.NonValidated);
        if (request.Content is { } content)
        {
            AddHeaders(signing, content.Headers.NonValidated);
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials.SessionToken is null
                ? new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey)
                : new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            Region = RegionEndpoint.GetBySystemName(region),
            Service = service,
            SignedAt = now.UtcDateTime,
        };

        var signed = AWSSigV4Signer.Sign(signing, parameters);
        request.Headers.Host = HostHeader(uri);
        foreach (var (name, value) in signed.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>
    /// The URI the signer reads the host from: the one HttpClient sends, with a punycode (IDN) host. Given a Unicode
    /// host, AWSSDK.Core signs the Unicode text, which is not what goes on the wire, and the service refuses the signature.
    /// </summary>
    public static Uri WireUri(Uri uri)
        => uri.HostNameType == UriHostNameType.Dns && !string.Equals(uri.Host, uri.IdnHost, StringComparison.Ordinal)
            ? new UriBuilder(uri) { Host = uri.IdnHost }.Uri
            : uri;

    /// <summary>The <c>Host</c> header as sent: the punycode host, with the port when it is not the scheme's default.</summary>
    public static string HostHeader(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static void AddHeaders(AWSSigningRequest signing, HttpHeadersNonValidated headers)
    {
        foreach (var header in headers)
        {
            if (!UnsignedHeaders.Contains(header.Key))
            {
                signing.Headers[header.Key] = string.Join(',', header.Value.Select(static v => v.Trim()));
            }
        }
    }
}
