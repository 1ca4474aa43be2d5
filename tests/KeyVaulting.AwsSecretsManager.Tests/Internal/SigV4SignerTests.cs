using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

public sealed class SigV4SignerTests
{
    private static readonly DateTimeOffset VectorTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query-order-key")]
    [InlineData("get-vanilla-query-order-key-case")]
    [InlineData("get-vanilla-with-session-token")]
    [InlineData("post-vanilla")]
    [InlineData("post-x-www-form-urlencoded")]
    [InlineData("post-x-www-form-urlencoded-parameters")]
    [InlineData("post-header-key-sort")]
    [InlineData("post-sts-token/post-sts-header-before")]
    [InlineData("post-sts-token/post-sts-header-after")]
    public void Sign_Aws4TestSuiteVector_ProducesTheCanonicalRequestStringToSignAndAuthorization(string vector)
    {
        var folder = Fixtures.PathOf(["sigv4", "aws4_testsuite", .. vector.Split('/')]);
        string Read(string extension) => File.ReadAllText(Path.Combine(folder, Path.GetFileName(folder) + extension));
        var raw = RawHttpRequest.Parse(Read(".req"));
        var expectedCanonicalRequest = Read(".creq");

        // The token is the request's X-Amz-Security-Token, else the one in the canonical request (how botocore's
        // harness reads the suite); post-sts-header-after adds it only after signing, so it is not signed.
        var token = vector.EndsWith("header-after", StringComparison.Ordinal)
            ? null
            : raw.Header(SigV4Signer.SecurityTokenHeader) ?? TokenIn(expectedCanonicalRequest);
        using var request = ToHttpRequest(raw);

        var signature = SigV4Signer.Sign(request, raw.Body, VectorCredentials(token), "us-east-1", "service", VectorTime);

        signature.CanonicalRequest.Should().Be(expectedCanonicalRequest);
        signature.StringToSign.Should().Be(Read(".sts"));
        signature.Authorization.Should().Be(Read(".authz"));
        request.Headers.GetValues("Authorization").Should().Equal(Read(".authz"));
        request.Headers.GetValues(SigV4Signer.DateHeader).Should().Equal("20150830T123600Z");
    }

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-with-session-token")]
    [InlineData("post-x-www-form-urlencoded")]
    public void Sign_AwsCrtVector_ProducesTheCanonicalRequestStringToSignAndSignature(string vector)
    {
        var folder = Fixtures.PathOf("sigv4", "aws-c-auth", vector);
        string Read(string file) => File.ReadAllText(Path.Combine(folder, file));
        var context = JsonNode.Parse(Read("context.json"))!;
        var credentials = new SigV4Credentials(
            (string)context["credentials"]!["access_key_id"]!, (string)context["credentials"]!["secret_access_key"]!, (string?)context["credentials"]!["token"]);
        var time = DateTimeOffset.Parse((string)context["timestamp"]!, CultureInfo.InvariantCulture);
        var region = (string)context["region"]!;
        var service = (string)context["service"]!;
        var raw = RawHttpRequest.Parse(Read("request.txt"));

        SigV4Signature signature;
        if ((bool)context["sign_body"]!)
        {
            // aws-c-auth's sign_body adds x-amz-content-sha256 and signs every header of the request, Content-Length included.
            var payloadHash = SigV4Signer.HashHex(raw.Body);
            List<KeyValuePair<string, string>> headers = [.. raw.Headers, new(SigV4Signer.DateHeader, SigV4Signer.FormatDateTime(time)), new("x-amz-content-sha256", payloadHash)];
            signature = SigV4Signer.Compute(raw.Method, raw.Uri, headers, payloadHash, credentials, region, service, time);
        }
        else
        {
            using var request = ToHttpRequest(raw);
            signature = SigV4Signer.Sign(request, raw.Body, credentials, region, service, time);
        }

        signature.CanonicalRequest.Should().Be(Read("header-canonical-request.txt"));
        signature.StringToSign.Should().Be(Read("header-string-to-sign.txt"));
        signature.Signature.Should().Be(Read("header-signature.txt"));
    }

    [Fact]
    public async Task Sign_GetSecretValueRequest_MatchesAnIndependentComputationAndAwsSdkCoresSigner()
    {
        await using var aws = await SourceHarness.StartAsync(temporaryCredentials: true);
        aws.Put("prod/openai-api-key", TestKeys.Project('B'));
        await aws.CreateSource("prod/openai-api-key").FetchAsync(CancellationToken.None);
        var received = aws.Server.Requests.Single();
        var identity = aws.Identity;

        // The documented steps, spelled out for this one request.
        const string body = """{"SecretId":"prod/openai-api-key","VersionStage":"AWSCURRENT"}""";
        const string amzDate = "20260301T120000Z";
        const string scope = "20260301/us-east-1/secretsmanager/aws4_request";
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        var canonicalRequest =
            "POST\n" +
            "/\n" +
            "\n" +
            "content-type:application/x-amz-json-1.1\n" +
            $"host:{aws.Server.Url.Authority}\n" +
            $"x-amz-date:{amzDate}\n" +
            $"x-amz-security-token:{identity.SessionToken}\n" +
            "x-amz-target:secretsmanager.GetSecretValue\n" +
            "\n" +
            signedHeaders + "\n" +
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var dateKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + identity.SecretAccessKey), Encoding.UTF8.GetBytes("20260301"));
        var regionKey = HMACSHA256.HashData(dateKey, Encoding.UTF8.GetBytes("us-east-1"));
        var serviceKey = HMACSHA256.HashData(regionKey, Encoding.UTF8.GetBytes("secretsmanager"));
        var signingKey = HMACSHA256.HashData(serviceKey, Encoding.UTF8.GetBytes("aws4_request"));
        var signature = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        var expected = $"AWS4-HMAC-SHA256 Credential={identity.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";

        received.Method.Should().Be("POST");
        received.Path.Should().Be("/");
        Encoding.UTF8.GetString(received.Body).Should().Be(body);
        received.Header("content-type").Should().Be("application/x-amz-json-1.1");
        received.Header("x-amz-target").Should().Be("secretsmanager.GetSecretValue");
        received.Header("x-amz-date").Should().Be(amzDate);
        received.Header("authorization").Should().Be(expected);

        // A third opinion: AWSSDK.Core's own signer over the same canonical request.
        var sdk = AWS4Signer.ComputeSignature(
            new ImmutableCredentials(identity.AccessKeyId, identity.SecretAccessKey, identity.SessionToken),
            "us-east-1",
            SourceHarness.Start.UtcDateTime,
            "secretsmanager",
            signedHeaders,
            canonicalRequest);
        sdk.ForAuthorizationHeader.Should().Be(expected);
    }

    [Fact]
    public void CanonicalQuery_EncodedParameters_AreReEncodedPerRfc3986AndSorted()
    {
        var uri = new Uri("https://example.amazonaws.com/?b=x%2Fy&a=hello%20world&a=%7E~");

        SigV4Signer.CanonicalQuery(uri).Should().Be("a=hello%20world&a=~~&b=x%2Fy");
    }

    [Fact]
    public void CanonicalizeHeaders_RepeatedNamesAndSpaces_AreJoinedAndCollapsed()
    {
        var (canonical, signed) = SigV4Signer.CanonicalizeHeaders(
            [new("My-Header", "  a   b  "), new("host", "example.com"), new("my-header", "c")]);

        canonical.Should().Be("host:example.com\nmy-header:a b,c\n");
        signed.Should().Be("host;my-header");
    }

    [Fact]
    public void Sign_HeadersAddedByHandlers_AreNotSigned()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://secretsmanager.us-east-1.amazonaws.com/");
        request.Headers.UserAgent.ParseAdd("app/1.0");
        request.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        var signature = SigV4Signer.Sign(request, [], VectorCredentials(null), "us-east-1", "secretsmanager", VectorTime);

        signature.SignedHeaders.Should().Be("host;x-amz-date");
    }

    [Theory]
    [InlineData("https://secretsmanager.us-east-1.amazonaws.com/", "secretsmanager.us-east-1.amazonaws.com")]
    [InlineData("http://127.0.0.1:4566/", "127.0.0.1:4566")]
    [InlineData("http://[::1]:4566/", "[::1]:4566")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    public void HostHeader_Uri_IsWhatHttpClientSends(string uri, string expected)
        => SigV4Signer.HostHeader(new Uri(uri)).Should().Be(expected);

    [Fact]
    public void SigV4Credentials_ToString_ShowsNoSecret()
    {
        var identity = AwsTestIdentity.Create(temporary: true);
        var credentials = new SigV4Credentials(identity.AccessKeyId, identity.SecretAccessKey, identity.SessionToken);

        credentials.ToString().Should().Be("AWS temporary credentials");
    }

    private static SigV4Credentials VectorCredentials(string? token)
    {
        var context = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("sigv4", "aws-c-auth", "get-vanilla", "context.json")))!;
        return new SigV4Credentials((string)context["credentials"]!["access_key_id"]!, (string)context["credentials"]!["secret_access_key"]!, token);
    }

    private static string? TokenIn(string canonicalRequest)
        => canonicalRequest.Split('\n').FirstOrDefault(l => l.StartsWith("x-amz-security-token:", StringComparison.Ordinal))?["x-amz-security-token:".Length..];

    private static HttpRequestMessage ToHttpRequest(RawHttpRequest raw)
    {
        var request = new HttpRequestMessage(new HttpMethod(raw.Method), raw.Uri);
        if (raw.Body.Length > 0 || raw.Header("Content-Type") is not null)
        {
            request.Content = new ByteArrayContent(raw.Body);
        }

        foreach (var (name, value) in raw.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content!.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
