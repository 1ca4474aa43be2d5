using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

/// <summary>
/// The credentials production platforms hand out (EKS web identity, assume-role profiles), fetched by the AWS SDK from
/// a local STS reached through AWS_ENDPOINT_URL_STS, then verified by the fake Secrets Manager on every request.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsTemporaryCredentialsTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";
    private const string RoleArn = "arn:aws:iam::123456789012:role/openai-reader";

    private readonly EnvironmentScope _environment = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "keyvaulting-aws-identity-" + Guid.NewGuid().ToString("N"));
    private SourceHarness _aws = null!;
    private LocalSts _sts = null!;

    public async Task InitializeAsync()
    {
        FallbackRegionFactory.Reset();
        Directory.CreateDirectory(_directory);
        _aws = await SourceHarness.StartAsync();
        _aws.Put(SecretName, TestKeys.Project('W'));
        _sts = await LocalSts.StartAsync(_aws.Server);
        _environment.Set("AWS_ENDPOINT_URL_STS", _sts.Url.ToString()).Set("AWS_REGION", FakeSecretsManager.Region);
    }

    public async Task DisposeAsync()
    {
        await _sts.DisposeAsync();
        await _aws.DisposeAsync();
        _environment.Dispose();
        FallbackRegionFactory.Reset();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FetchAsync_WebIdentityEnvironment_AssumesTheRoleAndSignsWithItsSessionToken()
    {
        var token = WriteWebIdentityToken();
        _environment.Set("AWS_ROLE_ARN", RoleArn).Set("AWS_ROLE_SESSION_NAME", "keyvaulting-test");
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('W'));
        var call = _sts.Calls.Should().ContainSingle().Which;
        call.Action.Should().Be("AssumeRoleWithWebIdentity");
        call.RoleArn.Should().Be(RoleArn);
        call.WebIdentityToken.Should().Be(token);
        var request = _aws.Server.Requests.Single();
        request.SignatureValid.Should().BeTrue();
        request.Header("x-amz-security-token").Should().Be(call.Issued!.SessionToken);
        ShouldLeakNothing(token);
    }

    [Fact]
    public async Task AddAwsSecretsManager_EksWebIdentityEnvironment_ProviderServesTheKeyReadWithTheAssumedRole()
    {
        var token = WriteWebIdentityToken();
        _environment.Set("AWS_ROLE_ARN", RoleArn);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_aws.Time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddOpenAIKeyProvider().AddAwsSecretsManager(SecretName, o =>
        {
            o.ServiceUrl = _aws.Server.Url;
            o.Region = FakeSecretsManager.Region;
        });
        await using var provider = services.BuildServiceProvider();

        var key = await provider.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Project('W'));
        key.Source.Should().Be("AwsSecretsManager:" + SecretName);
        _sts.Calls.Should().ContainSingle().Which.Action.Should().Be("AssumeRoleWithWebIdentity");
        _aws.Server.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeTrue();
        provider.GetFakeLogCollector().ShouldNotContainSecrets([.. _sts.IssuedSecrets, token, TestKeys.Project('W')]);
    }

    [Fact]
    public async Task FetchAsync_WebIdentityProfileSetting_AssumesTheRoleOfThatProfile()
    {
        var token = WriteWebIdentityToken(setVariable: false);
        _environment.WriteSharedConfig(
            $"[profile eks-reader]\nrole_arn = {RoleArn}\nweb_identity_token_file = {Path.Combine(_directory, "token")}\nrole_session_name = keyvaulting-test\n");
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "eks-reader";
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('W'));
        var call = _sts.Calls.Should().ContainSingle().Which;
        call.Action.Should().Be("AssumeRoleWithWebIdentity");
        call.WebIdentityToken.Should().Be(token);
        _aws.Server.Requests.Single().Header("x-amz-security-token").Should().Be(call.Issued!.SessionToken);
        ShouldLeakNothing(token);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_AssumeRoleProfile_SourceProfileCallsAssumeRoleAndItsCredentialsSign(bool viaProfileSetting)
    {
        var caller = WriteAssumeRoleProfile("openai-reader");
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = viaProfileSetting ? "openai-reader" : null;
        });
        if (!viaProfileSetting)
        {
            _environment.Set("AWS_PROFILE", "openai-reader");
        }

        var result = await source.FetchAsync(CancellationToken.None);
        await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('W'));
        var call = _sts.Calls.Should().ContainSingle("credentials that are not due (they live an hour) are reused").Which;
        call.Action.Should().Be("AssumeRole");
        call.RoleArn.Should().Be(RoleArn);
        call.RoleSessionName.Should().Be("keyvaulting-test");
        call.CallerAccessKeyId.Should().Be(caller.AccessKeyId, "the source profile's keys sign the AssumeRole call");
        _aws.Server.Requests.Should().HaveCount(2).And.OnlyContain(r => r.SignatureValid == true);
        var request = _aws.Server.Requests.Last();
        SignedBy(request).Should().Be(call.Issued!.AccessKeyId, "the role's temporary credentials sign GetSecretValue, not the source profile's keys");
        request.Header("x-amz-security-token").Should().Be(call.Issued.SessionToken);
        ShouldLeakNothing(caller.SecretAccessKey);
    }

    [Fact]
    public async Task FetchAsync_AssumedCredentialsNearTheirExpiry_AreRenewedWithANewAssumeRoleWithoutAnOutage()
    {
        // The AWS SDK judges expiry by the real clock (its clock is internal: no TimeProvider reaches it). It renews
        // assume-role credentials in the background from 16 minutes before they expire (PreemptExpiryTime 15 minutes
        // plus ExpirationBuffer 1 minute), serving the current ones meanwhile: the first credentials live 16 minutes
        // and 2 seconds, so they are due 2 seconds after they were issued; the renewed ones live an hour. The test
        // waits those 2 seconds, plus half a second of margin, of real time, then fetches until a request is signed
        // with the renewed credentials (at most 10 seconds).
        _sts.IssueNextFor(TimeSpan.FromMinutes(16) + TimeSpan.FromSeconds(2));
        WriteAssumeRoleProfile("openai-reader");
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "openai-reader";
        });
        await source.FetchAsync(CancellationToken.None);
        var first = _sts.LastIssued!;

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await WaitUntilAsync(
            async () =>
            {
                // Every fetch meanwhile succeeds: the current credentials are still valid while the SDK renews them.
                (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Project('W'));
                return SignedBy(_aws.Server.Requests.Last()) != first.AccessKeyId;
            },
            TimeSpan.FromSeconds(10));
        _aws.Server.ExpireToken(first);
        var afterExpiry = await source.FetchAsync(CancellationToken.None);

        afterExpiry.Value.Should().Be(TestKeys.Project('W'));
        _sts.Calls.Select(c => c.Action).Should().Equal("AssumeRole", "AssumeRole");
        SignedBy(_aws.Server.Requests.Last()).Should().Be(_sts.LastIssued!.AccessKeyId).And.NotBe(first.AccessKeyId);
        ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_SecretsManagerSaysTheSessionTokenExpired_TheNextFetchAssumesTheRoleAgain()
    {
        var token = WriteWebIdentityToken();
        _environment.Set("AWS_ROLE_ARN", RoleArn);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);
        await source.FetchAsync(CancellationToken.None);
        _aws.Server.ExpireToken(_sts.LastIssued!);

        var failure = await _aws.FetchFailsAsync(source);
        var result = await source.FetchAsync(CancellationToken.None);

        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("ExpiredTokenException").And.Contain("renewed on the next attempt");
        result.Value.Should().Be(TestKeys.Project('W'));
        _sts.Calls.Select(c => c.Action).Should().Equal("AssumeRoleWithWebIdentity", "AssumeRoleWithWebIdentity");
        ShouldLeakNothing(token);
    }

    [Fact]
    public async Task FetchAsync_StsDeniesTheWebIdentity_FailsNamingTheRoleAndItsTrustPolicy()
    {
        var token = WriteWebIdentityToken();
        _environment.Set("AWS_ROLE_ARN", RoleArn);
        _sts.FailNext(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("the AWS default credential chain").And.Contain("web identity")
            .And.Contain("AWS_WEB_IDENTITY_TOKEN_FILE").And.Contain(RoleArn).And.Contain("AccessDenied")
            .And.Contain("trust policy").And.Contain("sts:AssumeRoleWithWebIdentity");
        _aws.Server.Requests.Should().BeEmpty();
        ShouldLeakNothing(token);
        failure.ShouldNotContainSecrets(token);
    }

    [Fact]
    public async Task FetchAsync_WebIdentityTokenFileMissing_FailsNamingTheFile()
    {
        var missing = Path.Combine(_directory, "no-such-token");
        _environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", missing).Set("AWS_ROLE_ARN", RoleArn);
        var source = _aws.CreateSource(SecretName, o => o.Credentials = null);

        var failure = await _aws.FetchFailsAsync(source);

        failure.Message.Should().Contain("web identity").And.Contain("AWS_WEB_IDENTITY_TOKEN_FILE").And.Contain("could not be read");
        _sts.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_StsDeniesAssumeRole_FailsNamingTheCallerPermissionAndTheTrustPolicy()
    {
        var caller = WriteAssumeRoleProfile("openai-reader");
        _sts.FailNext(403, "AccessDenied", $"User: arn:aws:iam::{FakeSecretsManager.AccountId}:user/app is not authorized to perform: sts:AssumeRole on resource: {RoleArn}");
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "openai-reader";
        });

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("the AWS profile 'openai-reader'").And.Contain("assume role").And.Contain(RoleArn)
            .And.Contain("AccessDenied").And.Contain("sts:AssumeRole").And.Contain("source_profile").And.Contain("trust policy");
        ShouldLeakNothing(caller.SecretAccessKey);
        failure.ShouldNotContainSecrets(caller.SecretAccessKey);
    }

    private AwsTestIdentity WriteAssumeRoleProfile(string profile)
    {
        var caller = AwsTestIdentity.Create();
        _sts.AllowCaller(caller);
        _environment.WriteSharedCredentials($"[base]\naws_access_key_id = {caller.AccessKeyId}\naws_secret_access_key = {caller.SecretAccessKey}\n");
        _environment.WriteSharedConfig($"[profile {profile}]\nrole_arn = {RoleArn}\nsource_profile = base\nrole_session_name = keyvaulting-test\n");
        return caller;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    private static string SignedBy(ReceivedRequest request) => ReferenceSigV4.ParseAuthorization(request.Header("authorization")!).AccessKeyId;

    private string WriteWebIdentityToken(bool setVariable = true)
    {
        // A JWT-shaped token, generated: the SDK reads the file on every renewal.
        var token = "eyJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=') + "." + Guid.NewGuid().ToString("N");
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, token);
        _sts.ExpectedWebIdentityToken = token;
        if (setVariable)
        {
            _environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", path);
        }

        return token;
    }

    private void ShouldLeakNothing(params string[] more)
    {
        foreach (var secret in _sts.IssuedSecrets.Concat(more))
        {
            _aws.RememberSecret(secret);
        }

        _aws.ShouldLeakNothing();
    }
}
