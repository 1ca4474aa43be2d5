using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests;

/// <summary>
/// The Secrets Manager endpoint set outside the source, as the AWS SDKs and CLI read it (LocalStack, a VPC endpoint
/// chosen per environment): <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, <c>AWS_ENDPOINT_URL</c>, a <c>services</c>
/// section and a profile's <c>endpoint_url</c>, each proven by a real read from the local Secrets Manager.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsSecretsManagerConfiguredEndpointTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";

    private readonly EnvironmentScope _environment = new();
    private SourceHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await SourceHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _aws.DisposeAsync();
        _environment.Dispose();
    }

    [Fact]
    public async Task FetchAsync_ServiceSpecificVariable_ReadsFromThatEndpointAndSaysWhereItCameFrom()
    {
        _aws.Put(SecretName, TestKeys.Numbered(700));
        _environment.Set(AwsEndpointUrlResolver.ServiceVariable, _aws.Server.Url.ToString());

        var result = await CreateSourceWithoutServiceUrl().FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        _aws.Server.Requests.Should().NotBeEmpty("the request went to the endpoint the variable names");
        EndpointLog().Should().Contain($"endpoint {_aws.Server.Url} (from environment variable AWS_ENDPOINT_URL_SECRETS_MANAGER)");
    }

    [Fact]
    public async Task FetchAsync_BothVariables_TheServiceSpecificOneWins()
    {
        _aws.Put(SecretName, TestKeys.Numbered(701));
        _environment.Set(AwsEndpointUrlResolver.GlobalVariable, $"http://127.0.0.1:{LoopbackPorts.Closed()}");
        _environment.Set(AwsEndpointUrlResolver.ServiceVariable, _aws.Server.Url.ToString());

        var result = await CreateSourceWithoutServiceUrl().FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
    }

    [Fact]
    public async Task FetchAsync_GlobalVariable_IsUsedForSecretsManager()
    {
        _aws.Put(SecretName, TestKeys.Numbered(702));
        _environment.Set(AwsEndpointUrlResolver.GlobalVariable, _aws.Server.Url.ToString());

        var result = await CreateSourceWithoutServiceUrl().FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        EndpointLog().Should().Contain("(from environment variable AWS_ENDPOINT_URL)");
    }

    [Fact]
    public async Task FetchAsync_ServicesSectionOfTheProfile_UsesSecretsManagersEntryOnly()
    {
        _aws.Put(SecretName, TestKeys.Numbered(703));
        _environment.WriteSharedConfig(
            "[profile app]\nservices = local-stack\n\n" +
            $"[services local-stack]\nsts =\n  endpoint_url = http://127.0.0.1:{LoopbackPorts.Closed()}\nsecrets_manager =\n  endpoint_url = {_aws.Server.Url}\n");

        _environment.Set("AWS_PROFILE", "app");

        var result = await CreateSourceWithoutServiceUrl().FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        EndpointLog().Should().Contain("(from secrets_manager endpoint_url of the services section 'local-stack' (profile 'app'))");
    }

    [Fact]
    public async Task FetchAsync_EndpointUrlOfTheDefaultProfile_IsUsed()
    {
        _aws.Put(SecretName, TestKeys.Numbered(704));
        _environment.WriteSharedConfig($"[default]\nendpoint_url = {_aws.Server.Url}\n");

        var result = await CreateSourceWithoutServiceUrl().FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        EndpointLog().Should().Contain("(from endpoint_url of profile 'default')");
    }

    [Fact]
    public async Task FetchAsync_ServiceUrlSetting_WinsOverTheVariables()
    {
        _aws.Put(SecretName, TestKeys.Numbered(705));
        _environment.Set(AwsEndpointUrlResolver.ServiceVariable, $"http://127.0.0.1:{LoopbackPorts.Closed()}");

        var result = await _aws.CreateSource(SecretName).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        EndpointLog().Should().Contain("(from setting ServiceUrl)");
    }

    [Theory]
    [InlineData("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]
    [InlineData("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")]
    public void Resolve_IgnoreVariable_IgnoresEveryConfiguredEndpoint(string variable, string value)
    {
        _environment.Set(AwsEndpointUrlResolver.ServiceVariable, "http://127.0.0.1:4566");
        _environment.Set(AwsEndpointUrlResolver.GlobalVariable, "http://127.0.0.1:4566");
        _environment.WriteSharedConfig("[default]\nendpoint_url = http://127.0.0.1:4566\n");
        _environment.Set(variable, value);

        AwsEndpointUrlResolver.Resolve(profileName: null).Should().BeNull("the regional endpoint is used");
    }

    [Fact]
    public void Resolve_ProfileIgnoresConfiguredEndpoints_IgnoresItsEndpointUrl()
    {
        _environment.WriteSharedConfig("[profile app]\nendpoint_url = http://127.0.0.1:4566\nignore_configured_endpoint_urls = true\n");

        AwsEndpointUrlResolver.Resolve("app").Should().BeNull();
    }

    [Fact]
    public void Resolve_NothingConfigured_ReturnsNull()
        => AwsEndpointUrlResolver.Resolve(profileName: null).Should().BeNull();

    [Theory]
    [InlineData("localhost:4566")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("https://127.0.0.1:4566/some/path")]
    [InlineData("https://user:hunter2@127.0.0.1:4566/")]
    public async Task FetchAsync_UnusableVariable_FailsNamingTheVariableButNotItsValue(string value)
    {
        _environment.Set(AwsEndpointUrlResolver.ServiceVariable, value);

        var failure = await _aws.FetchFailsAsync(CreateSourceWithoutServiceUrl());

        failure.IsTransient.Should().BeFalse("retrying does not fix a setting");
        failure.Message.Should().Contain("environment variable AWS_ENDPOINT_URL_SECRETS_MANAGER").And.Contain("absolute https://")
            .And.Contain("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").And.NotContain(value);
        _aws.Server.Requests.Should().BeEmpty();
    }

    private AwsSecretsManagerKeySource CreateSourceWithoutServiceUrl()
        => _aws.CreateSource(SecretName, o => o.ServiceUrl = null);

    private string EndpointLog()
        => _aws.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 200).Subject.Message;
}
