using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

/// <summary>Credentials found the way AWS SDK clients find them, proven by a server that verifies each signature.</summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsCredentialsProviderTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";

    private readonly EnvironmentScope _environment = new();
    private SourceHarness _aws = null!;

    public async Task InitializeAsync()
    {
        FallbackRegionFactory.Reset();
        _aws = await SourceHarness.StartAsync();
        _aws.Put(SecretName, TestKeys.Project('C'));
    }

    public async Task DisposeAsync()
    {
        await _aws.DisposeAsync();
        _environment.Dispose();
        FallbackRegionFactory.Reset();
    }

    [Fact]
    public async Task FetchAsync_CredentialsInEnvironmentVariables_SignsWithThem()
    {
        var identity = Register(temporary: false);
        _environment.Set("AWS_ACCESS_KEY_ID", identity.AccessKeyId).Set("AWS_SECRET_ACCESS_KEY", identity.SecretAccessKey);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('C'));
        SignedBy(_aws.Server.Requests.Single()).Should().Be(identity.AccessKeyId);
        _aws.Logs.GetSnapshot().Should().Contain(r => r.Message.Contains("signed with the AWS default credential chain", StringComparison.Ordinal));
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_TemporaryCredentialsInEnvironmentVariables_SendsTheSessionToken()
    {
        var identity = Register(temporary: true);
        _environment.Set("AWS_ACCESS_KEY_ID", identity.AccessKeyId).Set("AWS_SECRET_ACCESS_KEY", identity.SecretAccessKey).Set("AWS_SESSION_TOKEN", identity.SessionToken);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        await source.FetchAsync(CancellationToken.None);

        var request = _aws.Server.Requests.Single();
        request.Header("x-amz-security-token").Should().Be(identity.SessionToken);
        request.SignatureValid.Should().BeTrue();
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_EnvironmentCredentialsReplaced_TheNextFetchUsesTheNewOnes()
    {
        var first = Register(temporary: true);
        var second = Register(temporary: true);
        _environment.Set("AWS_ACCESS_KEY_ID", first.AccessKeyId).Set("AWS_SECRET_ACCESS_KEY", first.SecretAccessKey).Set("AWS_SESSION_TOKEN", first.SessionToken);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);
        await source.FetchAsync(CancellationToken.None);

        _environment.Set("AWS_ACCESS_KEY_ID", second.AccessKeyId).Set("AWS_SECRET_ACCESS_KEY", second.SecretAccessKey).Set("AWS_SESSION_TOKEN", second.SessionToken);
        await source.FetchAsync(CancellationToken.None);

        _aws.Server.Requests.Select(SignedBy).Should().Equal(first.AccessKeyId, second.AccessKeyId);
    }

    [Fact]
    public async Task FetchAsync_ActiveProfileOfTheSharedCredentialsFile_SignsWithIt()
    {
        var identity = Register(temporary: true);
        var profile = "team-" + Guid.NewGuid().ToString("N")[..8];
        _environment.WriteSharedCredentials(CredentialsFile(profile, identity));
        _environment.Set("AWS_PROFILE", profile);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('C'));
        SignedBy(_aws.Server.Requests.Single()).Should().Be(identity.AccessKeyId);
        _aws.Server.Requests.Single().Header("x-amz-security-token").Should().Be(identity.SessionToken);
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_ProfileSetting_UsesThatProfilesCredentialsAndRegion()
    {
        var identity = Register(temporary: false);
        _environment.WriteSharedCredentials(CredentialsFile("openai-reader", identity));
        _environment.WriteSharedConfig($"[profile openai-reader]\nregion = {FakeSecretsManager.Region}\n");
        _environment.Set("AWS_REGION", "eu-west-1");
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Region = null;
            o.Profile = "openai-reader";
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('C'));
        SignedBy(_aws.Server.Requests.Single()).Should().Be(identity.AccessKeyId);
        _aws.Logs.GetSnapshot().Should().Contain(r => r.Message.Contains("using region us-east-1 (from profile 'openai-reader')", StringComparison.Ordinal));
        _aws.ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_ProfileSettingNamesAMissingProfile_FailsNamingTheFiles()
    {
        var credentialsFile = _environment.WriteSharedCredentials(CredentialsFile("other", AwsTestIdentity.Create()));
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "missing";
        });

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("profile 'missing'").And.Contain(credentialsFile).And.Contain("aws configure --profile missing");
        _aws.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_NoCredentialsAnywhere_FailsNamingTheWaysToProvideThem()
    {
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("the AWS default credential chain found no AWS credentials")
            .And.Contain("AWS_ACCESS_KEY_ID").And.Contain("AWS_PROFILE").And.Contain("AWS SDK:");
        _aws.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_NoRegionAnywhere_FailsNamingTheSettings()
    {
        var source = _aws.CreateSource(SecretName, o => o.Region = null);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("No AWS region").And.Contain("Region").And.Contain("AWS_REGION");
    }

    [Fact]
    public async Task FetchAsync_RegionFromEnvironment_SignsForThatRegion()
    {
        _environment.Set("AWS_REGION", FakeSecretsManager.Region);
        var source = _aws.CreateSource(SecretName, o => o.Region = null);

        var result = await source.FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        ReferenceSigV4.ParseAuthorization(_aws.Server.Requests.Single().Header("authorization")!).Region.Should().Be("us-east-1");
    }

    private AwsTestIdentity Register(bool temporary)
    {
        var identity = _aws.Server.AddIdentity(temporary);
        foreach (var secret in identity.Secrets)
        {
            _aws.RememberSecret(secret);
        }

        return identity;
    }

    private static string SignedBy(ReceivedRequest request) => ReferenceSigV4.ParseAuthorization(request.Header("authorization")!).AccessKeyId;

    private static string CredentialsFile(string profile, AwsTestIdentity identity)
        => $"[{profile}]\naws_access_key_id = {identity.AccessKeyId}\naws_secret_access_key = {identity.SecretAccessKey}\n" +
           (identity.SessionToken is null ? string.Empty : $"aws_session_token = {identity.SessionToken}\n");
}
