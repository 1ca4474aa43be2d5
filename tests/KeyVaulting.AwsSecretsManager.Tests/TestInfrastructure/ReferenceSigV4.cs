using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// A second, deliberately plain implementation of Signature Version 4, written from the documented algorithm
/// ("Create a signed AWS API request", IAM user guide) and independent of the library's signer. The fake Secrets
/// Manager verifies every request with it; it is itself proven against AWS's published signed requests.
/// </summary>
internal static class ReferenceSigV4
{
    public static ParsedAuthorization ParseAuthorization(string header)
    {
        // AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
        const string prefix = "AWS4-HMAC-SHA256 ";
        if (!header.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new FormatException("Not an AWS4-HMAC-SHA256 authorization.");
        }

        var parts = header[prefix.Length..]
            .Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var credential = parts["Credential"].Split('/');
        return new ParsedAuthorization(
            credential[0], credential[1], credential[2], credential[3], credential[4], parts["SignedHeaders"].Split(';'), parts["Signature"]);
    }

    /// <summary>Rebuilds the canonical request of a received request from the headers its signature names.</summary>
    public static string CanonicalRequest(string method, string path, string query, Func<string, string?> header, IEnumerable<string> signedHeaders, byte[] body)
    {
        var text = new StringBuilder();
        text.Append(method).Append('\n');
        text.Append(path.Length == 0 ? "/" : path).Append('\n');
        text.Append(CanonicalQuery(query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var value = header(name) ?? string.Empty;
            text.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        text.Append('\n');
        text.Append(string.Join(';', signedHeaders)).Append('\n');
        text.Append(Hex(SHA256.HashData(body)));
        return text.ToString();
    }

    public static string StringToSign(string amzDate, string region, string service, string canonicalRequest)
        => "AWS4-HMAC-SHA256\n" + amzDate + "\n" + $"{amzDate[..8]}/{region}/{service}/aws4_request\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

    public static string Signature(string secretAccessKey, string amzDate, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), amzDate[..8]);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>Verifies a received request; returns the signature it should carry and the canonical request.</summary>
    public static (bool Valid, string Expected, string CanonicalRequest) Verify(
        string method, string path, string query, Func<string, string?> header, byte[] body, string secretAccessKey)
    {
        var authorization = ParseAuthorization(header("authorization") ?? throw new FormatException("No Authorization header."));
        var amzDate = header("x-amz-date") ?? throw new FormatException("No X-Amz-Date header.");
        var canonical = CanonicalRequest(method, path, query, header, authorization.SignedHeaders, body);
        var expected = Signature(secretAccessKey, amzDate, authorization.Region, authorization.Service, StringToSign(amzDate, authorization.Region, authorization.Service, canonical));
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature));
        return (valid, expected, canonical);
    }

    public static string Hex(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static byte[] Hmac(byte[] key, string data)
    {
        using var hmac = new HMACSHA256(key);
        return hmac.ComputeHash(Encoding.UTF8.GetBytes(data));
    }

    private static string CanonicalQuery(string query)
    {
        var raw = query.TrimStart('?');
        if (raw.Length == 0)
        {
            return string.Empty;
        }

        return string.Join('&', raw.Split('&')
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }
}

internal sealed record ParsedAuthorization(
    string AccessKeyId, string Date, string Region, string Service, string Terminator, IReadOnlyList<string> SignedHeaders, string Signature);
