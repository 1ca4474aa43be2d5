using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// AWS Signature Version 4 with the signature in the <c>Authorization</c> header, as documented in the IAM user guide
/// ("Create a signed AWS API request") and proven against AWS's published test suite.
/// </summary>
/// <remarks>
/// AWSSDK.Core's own signer only signs its internal request type, so requests built as
/// <see cref="HttpRequestMessage"/> are signed here. Temporary credentials add <c>X-Amz-Security-Token</c>, which is
/// signed (what the AWS SDKs do, and what Secrets Manager requires).
/// </remarks>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";

    /// <summary>Headers that proxies and handlers may add, change or drop: never signed (as in the AWS SDKs).</summary>
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "expect", "content-length", "transfer-encoding", "connection", "x-amzn-trace-id",
        "traceparent", "tracestate", "baggage", "request-id", "correlation-context",
    };

    /// <summary>
    /// Signs <paramref name="request"/> in place: sets <c>Host</c>, <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c>
    /// for temporary credentials, and <c>Authorization</c> over every other header already on the request.
    /// </summary>
    public static SigV4Signature Sign(
        HttpRequestMessage request, ReadOnlySpan<byte> body, SigV4Credentials credentials, string region, string service, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));

        request.Headers.Host = HostHeader(uri);
        request.Headers.Remove(DateHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, FormatDateTime(now));
        request.Headers.Remove(SecurityTokenHeader);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation(SecurityTokenHeader, credentials.SessionToken);
        }

        request.Headers.Authorization = null;

        var signature = Compute(request.Method.Method, uri, CollectHeaders(request), HashHex(body), credentials, region, service, now);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    /// <summary>The <c>Host</c> header as sent: the punycode host, with the port when it is not the scheme's default.</summary>
    public static string HostHeader(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Computes the signature of a request described by its parts; every header given is signed.</summary>
    public static SigV4Signature Compute(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now)
    {
        var (canonicalHeaders, signedHeaders) = CanonicalizeHeaders(headers);
        var canonicalRequest = string.Join(
            '\n',
            method.ToUpperInvariant(),
            CanonicalUri(uri),
            CanonicalQuery(uri),
            canonicalHeaders,
            signedHeaders,
            payloadHash);

        var date = FormatDate(now);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, FormatDateTime(now), scope, HashHex(Encoding.UTF8.GetBytes(canonicalRequest)));

        var key = DeriveSigningKey(credentials.SecretAccessKey, date, region, service);
        var signature = ToHexLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        CryptographicOperations.ZeroMemory(key);

        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>The signing key: HMAC chain over the date, region, service and <c>aws4_request</c>.</summary>
    public static byte[] DeriveSigningKey(string secretAccessKey, string date, string region, string service)
    {
        var secret = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        try
        {
            var dateKey = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(date));
            var regionKey = HMACSHA256.HashData(dateKey, Encoding.UTF8.GetBytes(region));
            var serviceKey = HMACSHA256.HashData(regionKey, Encoding.UTF8.GetBytes(service));
            return HMACSHA256.HashData(serviceKey, "aws4_request"u8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static string HashHex(ReadOnlySpan<byte> data) => ToHexLower(SHA256.HashData(data));

    public static string ToHexLower(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static string FormatDateTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string FormatDate(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The path, each segment URI-encoded (RFC 3986 unreserved characters kept) once more on top of the encoding it
    /// has on the wire: the rule for every service but S3.
    /// </summary>
    public static string CanonicalUri(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(UriEncode));
    }

    /// <summary>Query parameters URI-encoded, sorted by name then value, joined with <c>&amp;</c>.</summary>
    public static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query;
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var parameters = new List<(string Name, string Value)>();
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            parameters.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }

        parameters.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', parameters.Select(static p => $"{p.Name}={p.Value}"));
    }

    /// <summary>
    /// Lower-cased names sorted, values trimmed with inner runs of spaces collapsed, repeated headers joined with
    /// commas; returns the canonical header block (each line ending with a new line) and the signed-header list.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalizeHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
            {
                values = [];
                byName.Add(key, values);
            }

            values.Add(TrimAll(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
        {
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    /// <summary>RFC 3986 percent-encoding of the UTF-8 bytes, keeping only <c>A-Z a-z 0-9 - _ . ~</c>.</summary>
    public static string UriEncode(string value)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static IEnumerable<KeyValuePair<string, string>> CollectHeaders(HttpRequestMessage request)
    {
        foreach (var header in request.Headers.NonValidated)
        {
            if (!UnsignedHeaders.Contains(header.Key))
            {
                yield return new(header.Key, string.Join(',', header.Value));
            }
        }

        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                if (!UnsignedHeaders.Contains(header.Key))
                {
                    yield return new(header.Key, string.Join(',', header.Value));
                }
            }
        }
    }

    private static string TrimAll(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var collapsed = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            collapsed.Append(c);
            previousSpace = c == ' ';
        }

        return collapsed.ToString();
    }
}
