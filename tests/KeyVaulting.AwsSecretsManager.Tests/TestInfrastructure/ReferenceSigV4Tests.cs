using System.Text.Json.Nodes;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>The fake server's verifier is only worth something if it accepts AWS's signed requests and rejects a bad one.</summary>
public sealed class ReferenceSigV4Tests
{
    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query-order-key")]
    [InlineData("get-vanilla-query-order-key-case")]
    [InlineData("post-vanilla")]
    [InlineData("post-x-www-form-urlencoded")]
    [InlineData("post-x-www-form-urlencoded-parameters")]
    [InlineData("post-header-key-sort")]
    [InlineData("post-sts-token/post-sts-header-before")]
    [InlineData("post-sts-token/post-sts-header-after")]
    public void Verify_Aws4TestSuiteSignedRequest_IsAccepted(string vector)
    {
        var folder = Fixtures.PathOf(["sigv4", "aws4_testsuite", .. vector.Split('/')]);
        var signed = RawHttpRequest.Parse(File.ReadAllText(Path.Combine(folder, Path.GetFileName(folder) + ".sreq")));

        ReferenceSigV4.Verify(signed.Method, signed.Path, signed.Query, signed.Header, signed.Body, SecretAccessKey()).Valid.Should().BeTrue();
    }

    [Fact]
    public void Verify_UpstreamSessionTokenSignedRequestWithTheWrongSignature_IsRejected()
    {
        // Known defect of the suite: this .sreq carries get-vanilla's signature although it signs the token too.
        var folder = Fixtures.PathOf("sigv4", "aws4_testsuite", "get-vanilla-with-session-token");
        var signed = RawHttpRequest.Parse(File.ReadAllText(Path.Combine(folder, "get-vanilla-with-session-token.sreq")));

        var (valid, expected, _) = ReferenceSigV4.Verify(signed.Method, signed.Path, signed.Query, signed.Header, signed.Body, SecretAccessKey());

        valid.Should().BeFalse();
        expected.Should().Be(File.ReadAllText(Path.Combine(folder, "get-vanilla-with-session-token.authz")).Split("Signature=")[1]);
    }

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-with-session-token")]
    [InlineData("post-x-www-form-urlencoded")]
    public void Verify_AwsCrtSignedRequest_IsAccepted(string vector)
    {
        var signed = RawHttpRequest.Parse(File.ReadAllText(Fixtures.PathOf("sigv4", "aws-c-auth", vector, "header-signed-request.txt")));

        ReferenceSigV4.Verify(signed.Method, signed.Path, signed.Query, signed.Header, signed.Body, SecretAccessKey()).Valid.Should().BeTrue();
    }

    private static string SecretAccessKey()
        => (string)JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("sigv4", "aws-c-auth", "get-vanilla", "context.json")))!["credentials"]!["secret_access_key"]!;
}
