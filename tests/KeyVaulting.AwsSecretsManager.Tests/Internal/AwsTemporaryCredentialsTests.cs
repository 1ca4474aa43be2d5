using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

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

    private string WriteWebIdentityToken()
    {
        // A JWT-shaped token, generated: the SDK reads the file on every renewal.
        var token = "eyJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=') + "." + Guid.NewGuid().ToString("N");
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, token);
        _sts.ExpectedWebIdentityToken = token;
        _environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", path);
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
