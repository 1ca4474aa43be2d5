using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

public sealed class AwsJsonErrorTests
{
    public static TheoryData<string> SmithyCases()
    {
        var data = new TheoryData<string>();
        foreach (var node in Cases())
        {
            data.Add((string)node["id"]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SmithyCases))]
    public void Parse_SmithyAwsJson11ErrorCase_FindsTheErrorCode(string id)
    {
        var @case = Cases().Single(c => (string)c["id"]! == id);
        using var response = new HttpResponseMessage((HttpStatusCode)(int)@case["status"]!);
        foreach (var (name, value) in @case["headers"]!.AsObject())
        {
            response.Headers.TryAddWithoutValidation(name, (string)value!);
        }

        var body = @case["body"] is { } json ? Encoding.UTF8.GetBytes(json.ToJsonString()) : [];

        var error = AwsJsonError.Parse(response.Headers, body);

        error.Code.Should().Be((string)@case["expectedErrorCode"]!);
    }

    [Theory]
    [InlineData("com.amazonaws.secretsmanager#ResourceNotFoundException", "ResourceNotFoundException")]
    [InlineData("ResourceNotFoundException:http://internal.amazon.com/coral/", "ResourceNotFoundException")]
    [InlineData("  ", null)]
    [InlineData("#", null)]
    public void NormalizeCode_RawType_DropsNamespaceAndUri(string raw, string? expected)
        => AwsJsonError.NormalizeCode(raw).Should().Be(expected);

    [Fact]
    public void Parse_MessageInEitherCase_IsRead()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);

        AwsJsonError.Parse(response.Headers, """{"__type":"A","message":"lower"}"""u8).Message.Should().Be("lower");
        AwsJsonError.Parse(response.Headers, """{"__type":"A","Message":"upper"}"""u8).Message.Should().Be("upper");
    }

    [Fact]
    public void Parse_NotJson_HasNoCode()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden);

        var error = AwsJsonError.Parse(response.Headers, "<html>denied</html>"u8);

        error.Code.Should().BeNull();
        error.Message.Should().BeNull();
    }

    [Fact]
    public void SafeMessage_SignatureErrorQuotingTheCanonicalRequest_KeepsTheFirstParagraphAndMasksSecrets()
    {
        var identity = AwsTestIdentity.Create(temporary: true);
        var credentials = new SigV4Credentials(identity.AccessKeyId, identity.SecretAccessKey, identity.SessionToken);
        var message = $"Bad signature for token {identity.SessionToken}.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:{identity.SessionToken}\n'";
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["__type"] = "InvalidSignatureException", ["message"] = message }.ToJsonString());

        var safe = AwsJsonError.Parse(response.Headers, body).SafeMessage(credentials);

        safe.Should().Be("Bad signature for token ***.");
    }

    [Fact]
    public void SafeMessage_LongMessageWithControlCharacters_IsShortenedToOneLine()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["__type"] = "X", ["Message"] = "a\tb\r\nc" + new string('z', 1000) }.ToJsonString());

        var safe = AwsJsonError.Parse(response.Headers, body).SafeMessage(null)!;

        safe.Should().StartWith("a b  c").And.EndWith("…");
        safe.Length.Should().Be(401);
    }

    private static IEnumerable<JsonNode> Cases()
        => JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("aws", "awsJson1_1-error-cases.json")))!["cases"]!.AsArray().Select(c => c!);
}
