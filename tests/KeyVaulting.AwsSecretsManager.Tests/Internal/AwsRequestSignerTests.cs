using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Shared;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

/// <summary>
/// Requests are signed by AWSSDK.Core's own SigV4 signer. The proof that it stays right is AWS's published signing
/// test suites and the fake Secrets Manager, which verifies every request with an independent implementation.
/// </summary>
/// <remarks>
/// AWSSDK.Core signs <c>X-Amz-Content-SHA256</c> on every request (its signer always adds it), which the aws4_testsuite
/// requests do not carry. For those vectors the expected canonical request is the published one with that one header
/// added (its value is the payload hash already on the last line); string-to-sign and signature are then derived by
/// the documented algorithm (<see cref="ReferenceSigV4"/>, itself proven against the suite). The aws-c-auth vector
/// that signs the body carries the header and is compared as published.
/// </remarks>
public sealed class AwsRequestSignerTests
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
    public void Sign_Aws4TestSuiteVector_SignsThePublishedCanonicalRequest(string vector)
    {
        var folder = Fixtures.PathOf(["sigv4", "aws4_testsuite", .. vector.Split('/')]);
        string Read(string extension) => File.ReadAllText(Path.Combine(folder, Path.GetFileName(folder) + extension));
        var raw = RawHttpRequest.Parse(Read(".req"));
        var published = Read(".creq");

        // The token is the request's X-Amz-Security-Token, else the one in the canonical request (how botocore's
        // harness reads the suite); post-sts-header-after adds it only after signing, so it is not signed.
        var token = vector.EndsWith("header-after", StringComparison.Ordinal)
            ? null
            : raw.Header("X-Amz-Security-Token") ?? TokenIn(published);
        var credentials = VectorCredentials(token);
        using var request = ToHttpRequest(raw);

        AwsRequestSigner.Sign(request, raw.Body, credentials, "us-east-1", "service", VectorTime);

        var expectedCanonicalRequest = WithContentSha256(published);
        var expectedSignature = ReferenceSigV4.Signature(
            credentials.SecretAccessKey, "20150830T123600Z", "us-east-1", "service",
            ReferenceSigV4.StringToSign("20150830T123600Z", "us-east-1", "service", expectedCanonicalRequest));
        var authorization = ReferenceSigV4.ParseAuthorization(request.Headers.GetValues("Authorization").Single());
        authorization.SignedHeaders.Should().Equal(SignedHeadersOf(expectedCanonicalRequest));
        authorization.Signature.Should().Be(expectedSignature);
        authorization.AccessKeyId.Should().Be(credentials.AccessKeyId);
        request.Headers.GetValues("X-Amz-Date").Should().Equal("20150830T123600Z");
        if (token is null)
        {
            request.Headers.Contains("X-Amz-Security-Token").Should().BeFalse();
        }
        else
        {
            request.Headers.GetValues("X-Amz-Security-Token").Should().Equal(token);
        }
    }

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-with-session-token")]
    public void Sign_AwsCrtVector_SignsThePublishedCanonicalRequest(string vector)
    {
        var folder = Fixtures.PathOf("sigv4", "aws-c-auth", vector);
        string Read(string file) => File.ReadAllText(Path.Combine(folder, file));
        var context = JsonNode.Parse(Read("context.json"))!;
        var credentials = new SigV4Credentials(
            (string)context["credentials"]!["access_key_id"]!, (string)context["credentials"]!["secret_access_key"]!, (string?)context["credentials"]!["token"]);
        var time = DateTimeOffset.Parse((string)context["timestamp"]!, CultureInfo.InvariantCulture);
        var raw = RawHttpRequest.Parse(Read("request.txt"));
        using var request = ToHttpRequest(raw);

        AwsRequestSigner.Sign(request, raw.Body, credentials, (string)context["region"]!, (string)context["service"]!, time);

        var expectedCanonicalRequest = WithContentSha256(Read("header-canonical-request.txt"));
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var expectedSignature = ReferenceSigV4.Signature(
            credentials.SecretAccessKey, amzDate, "us-east-1", "service", ReferenceSigV4.StringToSign(amzDate, "us-east-1", "service", expectedCanonicalRequest));
        ReferenceSigV4.ParseAuthorization(request.Headers.GetValues("Authorization").Single()).Signature.Should().Be(expectedSignature);
    }

    [Fact]
    public void AwsSigV4Signer_AwsCrtVectorThatSignsTheBody_ProducesThePublishedSignature()
    {
        // aws-c-auth's sign_body adds x-amz-content-sha256 and signs every header of the request, Content-Length
        // included: given the same headers, AWSSDK.Core's signer must produce the very signature published.
        var folder = Fixtures.PathOf("sigv4", "aws-c-auth", "post-x-www-form-urlencoded");
        string Read(string file) => File.ReadAllText(Path.Combine(folder, file));
        var raw = RawHttpRequest.Parse(Read("request.txt"));
        var credentials = VectorCredentials(null);
        var signing = new AWSSigningRequest { HttpMethod = new HttpMethod(raw.Method), RequestUri = raw.Uri, Content = raw.Body };
        foreach (var (name, value) in raw.Headers.Where(h => !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
        {
            signing.Headers[name] = value;
        }

        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            Region = RegionEndpoint.USEast1,
            Service = "service",
            SignedAt = VectorTime.UtcDateTime,
        });

        ReferenceSigV4.ParseAuthorization(signed.Headers["Authorization"]).Signature.Should().Be(Read("header-signature.txt"));
    }

    [Fact]
    public async Task Sign_GetSecretValueRequest_MatchesAnIndependentComputation()
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
        const string signedHeaders = "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target";
        var bodyHash = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var canonicalRequest =
            "POST\n" +
            "/\n" +
            "\n" +
            "content-type:application/x-amz-json-1.1\n" +
            $"host:{aws.Server.Url.Authority}\n" +
            $"x-amz-content-sha256:{bodyHash}\n" +
            $"x-amz-date:{amzDate}\n" +
            $"x-amz-security-token:{identity.SessionToken}\n" +
            "x-amz-target:secretsmanager.GetSecretValue\n" +
            "\n" +
            signedHeaders + "\n" +
            bodyHash;
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
        received.Header("x-amz-content-sha256").Should().Be(bodyHash);
        received.Header("authorization").Should().Be(expected);
    }

    [Fact]
    public void Sign_HeadersAddedByHandlers_AreNotSigned()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://secretsmanager.us-east-1.amazonaws.com/");
        request.Headers.UserAgent.ParseAdd("app/1.0");
        request.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793");

        AwsRequestSigner.Sign(request, [], VectorCredentials(null), "us-east-1", "secretsmanager", VectorTime);

        ReferenceSigV4.ParseAuthorization(request.Headers.GetValues("Authorization").Single()).SignedHeaders
            .Should().Equal("host", "x-amz-content-sha256", "x-amz-date");
    }

    [Fact]
    public void Sign_SignedTwice_ReplacesTheSigningHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://secretsmanager.us-east-1.amazonaws.com/");
        var identity = AwsTestIdentity.Create(temporary: true);
        AwsRequestSigner.Sign(request, [], new SigV4Credentials(identity.AccessKeyId, identity.SecretAccessKey, identity.SessionToken), "us-east-1", "secretsmanager", VectorTime);

        AwsRequestSigner.Sign(request, [], VectorCredentials(null), "us-east-1", "secretsmanager", VectorTime.AddMinutes(1));

        request.Headers.GetValues("Authorization").Should().ContainSingle().Which.Should().Contain("AKIDEXAMPLE/");
        request.Headers.GetValues("X-Amz-Date").Should().Equal("20150830T123700Z");
        request.Headers.Contains("X-Amz-Security-Token").Should().BeFalse("credentials without a session token send none");
    }

    [Theory]
    [InlineData("https://secretsmanager.us-east-1.amazonaws.com/", "secretsmanager.us-east-1.amazonaws.com")]
    [InlineData("http://127.0.0.1:4566/", "127.0.0.1:4566")]
    [InlineData("http://[::1]:4566/", "[::1]:4566")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    [InlineData("https://bücher.example:8443/", "xn--bcher-kva.example:8443")]
    public void HostHeader_Uri_IsWhatHttpClientSends(string uri, string expected)
        => AwsRequestSigner.HostHeader(new Uri(uri)).Should().Be(expected);

    [Fact]
    public void AwsSigV4Signer_UnicodeHost_SignsTheUnicodeTextNotThePunycodeSent()
    {
        // Why the package hands AWSSDK.Core the punycode form: given a Unicode host, the SDK signs a host header that
        // HttpClient never sends, and the service would refuse the signature.
        var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        string Sign(string uri) => AWSSigV4Signer.Sign(
            new AWSSigningRequest { HttpMethod = HttpMethod.Get, RequestUri = new Uri(uri) },
            new AWSSigV4Parameters { Credentials = credentials, Region = RegionEndpoint.USEast1, Service = "service", SignedAt = VectorTime.UtcDateTime }).Headers["Authorization"];

        Sign("https://bücher.example/").Should().NotBe(Sign("https://xn--bcher-kva.example/"));
        AwsRequestSigner.WireUri(new Uri("https://bücher.example/path?q=1")).Should().Be(new Uri("https://xn--bcher-kva.example/path?q=1"));
        AwsRequestSigner.WireUri(new Uri("https://bücher.example/")).Host.Should().Be("xn--bcher-kva.example");
    }

    [Fact]
    public async Task FetchAsync_ServiceUrlWithAUnicodeHost_IsSignedForThePunycodeHostSent()
    {
        await using var aws = await SourceHarness.StartAsync(configureServices: services =>
            services.AddHttpClient(AwsSecretsManagerKeySource.HttpClientName).ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,

                // Every host name leads to the fake server's loopback port: the name is only what is signed and sent.
                ConnectCallback = static async (context, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }));
        aws.Put("prod/openai-api-key", TestKeys.Project('U'));
        var source = aws.CreateSource("prod/openai-api-key", o => o.ServiceUrl = new Uri($"http://bücher.example:{aws.Server.Url.Port}/"));

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('U'));
        var received = aws.Server.Requests.Single();
        received.Header("host").Should().Be($"xn--bcher-kva.example:{aws.Server.Url.Port}");
        received.SignatureValid.Should().BeTrue();
    }

    [Fact]
    public void SigV4Credentials_ToString_ShowsNoSecret()
    {
        var identity = AwsTestIdentity.Create(temporary: true);
        var credentials = new SigV4Credentials(identity.AccessKeyId, identity.SecretAccessKey, identity.SessionToken);

        credentials.ToString().Should().Be("AWS temporary credentials");
    }

    /// <summary>A published canonical request with the <c>x-amz-content-sha256</c> header AWSSDK.Core signs added.</summary>
    private static string WithContentSha256(string canonicalRequest)
    {
        var lines = canonicalRequest.Split('\n').ToList();
        if (lines.Any(l => l.StartsWith("x-amz-content-sha256:", StringComparison.Ordinal)))
        {
            return canonicalRequest;
        }

        var payloadHash = lines[^1];
        var blank = lines.IndexOf(string.Empty, 3);
        var headers = lines.GetRange(3, blank - 3);
        headers.Add("x-amz-content-sha256:" + payloadHash);
        headers.Sort((a, b) => string.CompareOrdinal(a[..a.IndexOf(':', StringComparison.Ordinal)], b[..b.IndexOf(':', StringComparison.Ordinal)]));
        var signed = lines[blank + 1].Split(';').Append("x-amz-content-sha256").Order(StringComparer.Ordinal);
        return string.Join('\n', [.. lines.GetRange(0, 3), .. headers, string.Empty, string.Join(';', signed), payloadHash]);
    }

    private static string[] SignedHeadersOf(string canonicalRequest) => canonicalRequest.Split('\n')[^2].Split(';');

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
