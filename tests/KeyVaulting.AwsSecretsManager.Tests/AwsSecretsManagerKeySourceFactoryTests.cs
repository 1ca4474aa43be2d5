using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests;

/// <summary>
/// Configuration alone selects the source (<c>Type: AwsSecretsManager</c>): no code call, credentials from the AWS
/// chain or a named profile, never from the settings.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsSecretsManagerKeySourceFactoryTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";

    private readonly FakeTimeProvider _time = new(SourceHarness.Start);
    private readonly EnvironmentScope _environment = new();
    private FakeSecretsManager _server = null!;

    public async Task InitializeAsync()
    {
        FallbackRegionFactory.Reset();
        _server = await FakeSecretsManager.StartAsync(_time);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _environment.Dispose();
        FallbackRegionFactory.Reset();
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationSelectsAwsSecretsManager_ReadsTheSecretWithEnvironmentCredentials()
    {
        var identity = _server.AddIdentity(temporary: true);
        _environment.Set("AWS_ACCESS_KEY_ID", identity.AccessKeyId).Set("AWS_SECRET_ACCESS_KEY", identity.SecretAccessKey).Set("AWS_SESSION_TOKEN", identity.SessionToken);
        var version = _server.PutSecretString(SecretName, TestKeys.Numbered(1));
        await using var services = Build(new()
        {
            ["KeyVaulting:Chain"] = "Aws",
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:SecretId"] = SecretName,
            ["KeyVaulting:Sources:Aws:Region"] = FakeSecretsManager.Region,
            ["KeyVaulting:Sources:Aws:ServiceUrl"] = _server.Url.ToString(),
        });

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Numbered(1));
        key.Version.Should().Be(version);
        key.Source.Should().Be("AwsSecretsManager:prod/openai-api-key");
        _server.Requests.Single().SignatureValid.Should().BeTrue();
        services.GetFakeLogCollector().ShouldNotContainSecrets([.. identity.Secrets, TestKeys.Numbered(1)]);
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationWithProfileJsonFieldAndVersionStage_AppliesThemAll()
    {
        var identity = _server.AddIdentity();
        _environment.WriteSharedCredentials($"[openai-reader]\naws_access_key_id = {identity.AccessKeyId}\naws_secret_access_key = {identity.SecretAccessKey}\n");
        _environment.WriteSharedConfig($"[profile openai-reader]\nregion = {FakeSecretsManager.Region}\n");
        _server.PutSecretString(SecretName, new JsonObject { ["apiKey"] = TestKeys.Numbered(2) }.ToJsonString());
        _server.PutSecretString(SecretName, new JsonObject { ["apiKey"] = TestKeys.Numbered(3) }.ToJsonString());
        await using var services = Build(new()
        {
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:SecretId"] = SecretName,
            ["KeyVaulting:Sources:Aws:ServiceUrl"] = _server.Url.ToString(),
            ["KeyVaulting:Sources:Aws:Profile"] = "openai-reader",
            ["KeyVaulting:Sources:Aws:JsonField"] = "apiKey",
            ["KeyVaulting:Sources:Aws:VersionStage"] = "AWSPREVIOUS",
        });

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Numbered(2));
        ReferenceSigV4.ParseAuthorization(_server.Requests.Single().Header("authorization")!).AccessKeyId.Should().Be(identity.AccessKeyId);
    }

    [Theory]
    [InlineData("SecretAccessKey")]
    [InlineData("AccessKeyId")]
    [InlineData("Credentials")]
    public void AddOpenAIKeyProvider_CredentialsInConfiguration_AreRejectedWithoutEchoingThem(string setting)
    {
        var value = "config-secret-" + Guid.NewGuid();
        using var services = Build(new()
        {
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:SecretId"] = SecretName,
            [$"KeyVaulting:Sources:Aws:{setting}"] = value,
        });

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        var failure = act.Should().Throw<InvalidOperationException>().Which;
        failure.Message.Should().Contain(setting).And.Contain("KeyVaulting:Sources:Aws");
        failure.ShouldNotContainSecrets(value);
    }

    [Fact]
    public void AddOpenAIKeyProvider_SecretIdMissing_FailsNamingIt()
    {
        using var services = Build(new()
        {
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:Region"] = "us-east-1",
        });

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("KeyVaulting:Sources:Aws:SecretId");
    }

    [Fact]
    public void AddOpenAIKeyProvider_VersionStageAndVersion_FailsNamingBoth()
    {
        using var services = Build(new()
        {
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:SecretId"] = SecretName,
            ["KeyVaulting:Sources:Aws:VersionStage"] = "AWSPREVIOUS",
            ["KeyVaulting:Sources:Aws:Version"] = Guid.NewGuid().ToString(),
        });

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should()
            .Contain("Configuration 'KeyVaulting:Sources:Aws' is invalid").And.Contain("Set VersionStage or Version, not both");
    }

    [Fact]
    public void AddOpenAIKeyProvider_ServiceUrlNotAnAbsoluteUrl_FailsWithoutEchoingIt()
    {
        using var services = Build(new()
        {
            ["KeyVaulting:Sources:Aws:Type"] = "AwsSecretsManager",
            ["KeyVaulting:Sources:Aws:SecretId"] = SecretName,
            ["KeyVaulting:Sources:Aws:ServiceUrl"] = "localstack-4566",
        });

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should()
            .Contain("ServiceUrl must be an absolute https://").And.NotContain("localstack-4566");
    }

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        return services.BuildServiceProvider();
    }
}
