using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests;

public sealed partial class AwsSecretsManagerKeySourceTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";

    private SourceHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await SourceHarness.StartAsync();

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    [Fact]
    public async Task FetchAsync_PlainSecretString_ReturnsKeyAndVersionId()
    {
        var key = TestKeys.Project('A');
        var versionId = _aws.Put(SecretName, key);
        var source = _aws.CreateSource(SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        source.Name.Should().Be("AwsSecretsManager:prod/openai-api-key");
        result.IsFound.Should().BeTrue();
        result.Value.Should().Be(key);
        result.Version.Should().Be(versionId);
        result.ExpiresAt.Should().BeNull();
        _aws.Server.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeTrue();
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_SecretIdIsArn_ReturnsKey()
    {
        var key = TestKeys.Numbered(1);
        _aws.Put(SecretName, key);
        var arn = _aws.Server.ArnOf(SecretName);
        var source = _aws.CreateSource(arn);

        var result = await source.FetchAsync(CancellationToken.None);

        source.Name.Should().Be("AwsSecretsManager:" + arn);
        result.Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_JsonSecretStringWithJsonField_ReturnsThatField()
    {
        var key = TestKeys.Numbered(2);
        var password = "db-password-" + Guid.NewGuid();
        _aws.RememberSecret(password);
        _aws.Put(SecretName, new JsonObject { ["username"] = "app", ["apiKey"] = key, ["password"] = password }.ToJsonString());
        var source = _aws.CreateSource(SecretName, o => o.JsonField = "apiKey");

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_JsonSecretWithoutJsonField_FailsAskingForJsonField()
    {
        _aws.Put(SecretName, new JsonObject { ["apiKey"] = TestKeys.Numbered(3) }.ToJsonString());
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("JSON object").And.Contain("Set JsonField");
    }

    [Fact]
    public async Task FetchAsync_JsonFieldMissing_FailsListingTheFieldNames()
    {
        _aws.Put(SecretName, new JsonObject { ["ApiKey"] = TestKeys.Numbered(4) }.ToJsonString());
        var source = _aws.CreateSource(SecretName, o => o.JsonField = "apiKey");

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("has no field 'apiKey' (JsonField; names are case-sensitive)").And.Contain("its fields are 'ApiKey'");
    }

    [Fact]
    public async Task FetchAsync_JsonFieldNotString_Fails()
    {
        _aws.Put(SecretName, """{"apiKey": {"value": "x"}}""");
        var source = _aws.CreateSource(SecretName, o => o.JsonField = "apiKey");

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("The field 'apiKey' (JsonField) of the secret is an object, not a string");
    }

    [Fact]
    public async Task FetchAsync_JsonFieldSetButSecretIsNotJson_FailsWithoutQuotingTheSecret()
    {
        // The JSON parser's own message would quote the first character of the secret.
        var key = "Z" + TestKeys.Numbered(5);
        _aws.Put(SecretName, key);
        var source = _aws.CreateSource(SecretName, o => o.JsonField = "apiKey");

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("The secret is not valid JSON").And.NotContain("'Z'");
        failure.InnerException.Should().BeNull();
    }

    [Fact]
    public async Task FetchAsync_SecretBinary_DecodesUtf8()
    {
        var key = TestKeys.Numbered(6);
        _aws.RememberSecret(key);
        var versionId = _aws.Server.PutSecretBinary(SecretName, Encoding.UTF8.GetBytes(key));
        var source = _aws.CreateSource(SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
        result.Version.Should().Be(versionId);
    }

    [Fact]
    public async Task FetchAsync_SecretBinaryJsonWithJsonField_ReturnsThatField()
    {
        var key = TestKeys.Numbered(7);
        _aws.RememberSecret(key);
        _aws.Server.PutSecretBinary(SecretName, Encoding.UTF8.GetBytes(new JsonObject { ["openai"] = key }.ToJsonString()));
        var source = _aws.CreateSource(SecretName, o => o.JsonField = "openai");

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_SecretBinaryNotUtf8_Fails()
    {
        _aws.Server.PutSecretBinary(SecretName, [0xFF, 0xFE, 0x00, 0xC3]);
        var source = _aws.CreateSource(SecretName);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("not UTF-8 text");
    }

    [Fact]
    public async Task FetchAsync_RotationMovesAwsCurrent_ReturnsTheNewVersion()
    {
        var source = _aws.CreateSource(SecretName);
        var first = _aws.Put(SecretName, TestKeys.Numbered(10));
        (await source.FetchAsync(CancellationToken.None)).Version.Should().Be(first);

        var second = _aws.Put(SecretName, TestKeys.Numbered(11));
        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(11));
        result.Version.Should().Be(second);
    }

    [Fact]
    public async Task FetchAsync_VersionStagePrevious_ReturnsTheVersionBeforeRotation()
    {
        var previous = _aws.Put(SecretName, TestKeys.Numbered(20));
        _aws.Put(SecretName, TestKeys.Numbered(21));
        var source = _aws.CreateSource(SecretName, o => o.VersionStage = "AWSPREVIOUS");

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(20));
        result.Version.Should().Be(previous);
        Body(_aws.Server.Requests.Last()).Should().Be($$"""{"SecretId":"{{SecretName}}","VersionStage":"AWSPREVIOUS"}""");
    }

    [Fact]
    public async Task FetchAsync_CustomVersionStage_ReturnsTheLabelledVersion()
    {
        _aws.Put(SecretName, TestKeys.Numbered(30));
        var pending = _aws.Server.AddVersion(SecretName, TestKeys.Numbered(31), "AWSPENDING");
        _aws.RememberSecret(TestKeys.Numbered(31));
        var source = _aws.CreateSource(SecretName, o => o.VersionStage = "AWSPENDING");

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(31));
        result.Version.Should().Be(pending);
    }

    [Fact]
    public async Task FetchAsync_Version_StaysOnThatVersionAfterRotation()
    {
        var pinned = _aws.Put(SecretName, TestKeys.Numbered(40));
        _aws.Put(SecretName, TestKeys.Numbered(41));
        var source = _aws.CreateSource(SecretName, o => o.Version = pinned);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(40));
        result.Version.Should().Be(pinned);
        Body(_aws.Server.Requests.Last()).Should().Be($$"""{"SecretId":"{{SecretName}}","VersionId":"{{pinned}}"}""");
    }

    [Fact]
    public async Task FetchAsync_SecretMissing_ReturnsNotFound()
    {
        var source = _aws.CreateSource("does/not/exist");

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("no secret 'does/not/exist'").And.Contain("AWSCURRENT");
    }

    [Fact]
    public async Task FetchAsync_VersionStageMissing_ReturnsNotFound()
    {
        _aws.Put(SecretName, TestKeys.Numbered(50));
        var source = _aws.CreateSource(SecretName, o => o.VersionStage = "AWSPREVIOUS");

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Contain("staging label AWSPREVIOUS");
    }

    [Fact]
    public async Task FetchAsync_SessionCredentials_SendsAndSignsTheSecurityToken()
    {
        await using var aws = await SourceHarness.StartAsync(temporaryCredentials: true);
        aws.Put(SecretName, TestKeys.Numbered(60));
        var source = aws.CreateSource(SecretName);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(60));
        var request = aws.Server.Requests.Single();
        request.Header("x-amz-security-token").Should().Be(aws.Identity.SessionToken);
        ReferenceSigV4.ParseAuthorization(request.Header("authorization")!).SignedHeaders.Should().Contain("x-amz-security-token");
        request.SignatureValid.Should().BeTrue();
        aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_CredentialsRenewedBetweenRequests_SignsEachRequestWithTheCurrentOnes()
    {
        var first = _aws.Server.AddIdentity(temporary: true);
        var second = _aws.Server.AddIdentity(temporary: true);
        _aws.RememberSecret(first.SecretAccessKey);
        _aws.RememberSecret(second.SecretAccessKey);
        var credentials = new RenewableCredentials(first);
        _aws.Put(SecretName, TestKeys.Numbered(70));
        var source = _aws.CreateSource(SecretName, o => o.Credentials = credentials);

        (await source.FetchAsync(CancellationToken.None)).IsFound.Should().BeTrue();
        _aws.Server.ExpireToken(first);
        credentials.Current = second;
        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(70));
        _aws.Server.Requests.Select(r => r.Header("x-amz-security-token")).Should().Equal(first.SessionToken, second.SessionToken);
    }

    [Fact]
    public async Task FetchAsync_ExpiredTokenOfRenewingCredentials_IsTransientAndTheNextFetchUsesNewCredentials()
    {
        var first = _aws.Server.AddIdentity(temporary: true);
        var second = _aws.Server.AddIdentity(temporary: true);
        _aws.RememberSecret(first.SecretAccessKey);
        _aws.RememberSecret(second.SecretAccessKey);
        var credentials = new StsLikeCredentials(first, second);
        _aws.Server.ExpireToken(first);
        _aws.Put(SecretName, TestKeys.Numbered(80));
        var source = _aws.CreateSource(SecretName, o => o.Credentials = credentials);

        var failure = await _aws.FetchFailsAsync(source);
        var result = await source.FetchAsync(CancellationToken.None);

        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("ExpiredTokenException").And.Contain("renewed on the next attempt");
        result.Value.Should().Be(TestKeys.Numbered(80));
        credentials.Generated.Should().Be(2);
    }

    [Fact]
    public async Task FetchAsync_ExpiredTokenOfFixedCredentials_FailsAskingForNewCredentials()
    {
        await using var aws = await SourceHarness.StartAsync(temporaryCredentials: true);
        aws.Put(SecretName, TestKeys.Numbered(90));
        aws.Server.ExpireToken(aws.Identity);
        var source = aws.CreateSource(SecretName);

        var failure = await aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("session token").And.Contain("has expired").And.Contain("AWS_SESSION_TOKEN");
    }

    [Fact]
    public async Task FetchAsync_Cancelled_ThrowsOperationCanceled()
    {
        _aws.Put(SecretName, TestKeys.Numbered(190));
        var source = _aws.CreateSource(SecretName);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await source.FetchAsync(cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    private static string Body(ReceivedRequest request) => Encoding.UTF8.GetString(request.Body);

    /// <summary>Credentials whose holder swaps them, as a credential process or a sidecar renewing a session would.</summary>
    private sealed class RenewableCredentials(AwsTestIdentity initial) : AWSCredentials
    {
        public AwsTestIdentity Current { get; set; } = initial;

        public override ImmutableCredentials GetCredentials()
            => new(Current.AccessKeyId, Current.SecretAccessKey, Current.SessionToken);
    }

    /// <summary>Temporary credentials that renew themselves through the AWS SDK's refreshing base class.</summary>
    private sealed class StsLikeCredentials(params AwsTestIdentity[] sessions) : RefreshingAWSCredentials
    {
        public int Generated { get; private set; }

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            var session = sessions[Math.Min(Generated++, sessions.Length - 1)];
            return new CredentialsRefreshState(
                new ImmutableCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken),
                DateTime.SpecifyKind(DateTime.MaxValue.AddYears(-1), DateTimeKind.Utc));
        }
    }
}
