using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

/// <summary>
/// IAM Identity Center (SSO) profiles, as far as they run offline: the token <c>aws sso login</c> caches in
/// <c>~/.aws/sso/cache</c> (a temporary home directory here), <c>GetRoleCredentials</c> at a local portal reached
/// through <c>AWS_ENDPOINT_URL_SSO</c>, and its credentials verified by the fake Secrets Manager. The browser sign-in
/// itself (<c>aws sso login</c>) needs a person and is not tested.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsSsoCredentialsTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";
    private const string StartUrl = "https://keyvaulting-test.awsapps.com/start";

    private readonly EnvironmentScope _environment = new();
    private readonly string _home = Path.Combine(Path.GetTempPath(), "keyvaulting-aws-home-" + Guid.NewGuid().ToString("N"));
    private readonly string _accessToken = "sso-access-token-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
    private SourceHarness _aws = null!;
    private LocalSsoPortal _portal = null!;

    public async Task InitializeAsync()
    {
        FallbackRegionFactory.Reset();
        _aws = await SourceHarness.StartAsync();
        _aws.Put(SecretName, TestKeys.Project('S'));
        _aws.RememberSecret(_accessToken);
        _portal = await LocalSsoPortal.StartAsync(_aws.Server);
        _portal.AccessToken = _accessToken;
        _environment.Set("HOME", _home).Set("USERPROFILE", _home).Set("AWS_ENDPOINT_URL_SSO", _portal.Url.ToString());
        _environment.WriteSharedConfig(
            "[profile sso-reader]\n" +
            "sso_session = keyvaulting\n" +
            $"sso_account_id = {FakeSecretsManager.AccountId}\n" +
            "sso_role_name = OpenAIReader\n" +
            $"region = {FakeSecretsManager.Region}\n" +
            "[sso-session keyvaulting]\n" +
            $"sso_start_url = {StartUrl}\n" +
            $"sso_region = {FakeSecretsManager.Region}\n" +
            "sso_registration_scopes = sso:account:access\n");
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _aws.DisposeAsync();
        _environment.Dispose();
        FallbackRegionFactory.Reset();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public async Task FetchAsync_SsoProfileWithACachedSignIn_GetsRoleCredentialsAndSignsWithThem()
    {
        WriteCachedToken(TimeProvider.System.GetUtcNow().AddHours(1));
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "sso-reader";
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Project('S'));
        _portal.Calls.Should().ContainSingle().Which.Should().Be(("OpenAIReader", FakeSecretsManager.AccountId, _accessToken));
        var request = _aws.Server.Requests.Single();
        request.SignatureValid.Should().BeTrue();
        request.Header("x-amz-security-token").Should().Be(_portal.LastIssued!.SessionToken);
        ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_SsoSignInExpired_FailsSayingToRunAwsSsoLogin()
    {
        WriteCachedToken(TimeProvider.System.GetUtcNow().AddHours(-1));
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "sso-reader";
        });

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("the AWS profile 'sso-reader'").And.Contain("IAM Identity Center").And.Contain("aws sso login").And.Contain(StartUrl);
        _portal.Calls.Should().BeEmpty();
        _aws.Server.Requests.Should().BeEmpty();
        ShouldLeakNothing();
    }

    [Fact]
    public async Task FetchAsync_PortalRefusesTheCachedSignIn_FailsSayingToRunAwsSsoLogin()
    {
        WriteCachedToken(TimeProvider.System.GetUtcNow().AddHours(1));
        _portal.AccessToken = "another-token";
        var source = _aws.CreateSource(SecretName, o =>
        {
            o.Credentials = null;
            o.Profile = "sso-reader";
        });

        var failure = await _aws.FetchFailsAsync(source);

        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("IAM Identity Center").And.Contain("UnauthorizedException").And.Contain("aws sso login");
        ShouldLeakNothing();
    }

    private void WriteCachedToken(DateTimeOffset expiresAt)
    {
        // What aws sso login writes: ~/.aws/sso/cache/<sha1 of the session name>.json.
        var cache = Path.Combine(_home, ".aws", "sso", "cache");
        Directory.CreateDirectory(cache);
        var name = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes("keyvaulting"))).ToLowerInvariant();
        var token = new JsonObject
        {
            ["startUrl"] = StartUrl,
            ["region"] = FakeSecretsManager.Region,
            ["accessToken"] = _accessToken,
            ["expiresAt"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        File.WriteAllText(Path.Combine(cache, name + ".json"), token.ToJsonString());
    }

    private void ShouldLeakNothing()
    {
        foreach (var secret in _portal.IssuedSecrets)
        {
            _aws.RememberSecret(secret);
        }

        _aws.ShouldLeakNothing();
    }
}
