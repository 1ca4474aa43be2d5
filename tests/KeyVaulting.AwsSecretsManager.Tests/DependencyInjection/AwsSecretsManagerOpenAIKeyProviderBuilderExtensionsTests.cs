using System.Net;
using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.DependencyInjection;

public sealed class AwsSecretsManagerOpenAIKeyProviderBuilderExtensionsTests : IAsyncLifetime
{
    private const string SecretName = "prod/openai-api-key";

    private readonly FakeTimeProvider _time = new(SourceHarness.Start);
    private FakeSecretsManager _server = null!;
    private AwsTestIdentity _identity = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeSecretsManager.StartAsync(_time);
        _identity = _server.AddIdentity(temporary: true);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AddAwsSecretsManager_RotationMovesAwsCurrent_ProviderServesTheNewVersionAfterTheNextRefresh()
    {
        var firstVersion = _server.PutSecretString(SecretName, TestKeys.Numbered(1));
        await using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, PointAtServer));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();

        var first = await provider.GetKeyAsync();
        var secondVersion = _server.PutSecretString(SecretName, TestKeys.Numbered(2));
        await AdvanceUntilChangedAsync(provider, TimeSpan.FromMinutes(6));
        var second = await provider.GetKeyAsync();

        first.Value.Should().Be(TestKeys.Numbered(1));
        first.Version.Should().Be(firstVersion);
        first.Source.Should().Be("AwsSecretsManager:prod/openai-api-key");
        second.Value.Should().Be(TestKeys.Numbered(2));
        second.Version.Should().Be(secondVersion);
        _server.Requests.Should().HaveCount(2).And.OnlyContain(r => r.SignatureValid == true);
        services.GetFakeLogCollector().ShouldNotContainSecrets(Secrets(TestKeys.Numbered(1), TestKeys.Numbered(2)));
    }

    [Fact]
    public async Task AddAwsSecretsManager_RotationThenForcedRefresh_ServesTheNewVersionAtOnce()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(10));
        await using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, PointAtServer));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        await provider.GetKeyAsync();

        // What the OpenAI pipeline does after a 401: the old key was revoked, read the store again.
        var rotated = _server.PutSecretString(SecretName, TestKeys.Numbered(11));
        _time.Advance(TimeSpan.FromSeconds(6));
        var refreshed = await provider.RefreshAsync();

        refreshed.Value.Should().Be(TestKeys.Numbered(11));
        refreshed.Version.Should().Be(rotated);
    }

    [Fact]
    public async Task AddAwsSecretsManager_SecretMissing_FallsThroughToTheNextSource()
    {
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(TestKeys.Numbered(20));
        await using var services = Build(builder => builder.AddAwsSecretsManager("not/there", PointAtServer).AddSource(fallback));

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Source.Should().Be("Memory:fallback");
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task AddAwsSecretsManager_AccessDenied_StopsTheChainAndNamesThePermission()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(30));
        _server.Deny(_identity);
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(TestKeys.Numbered(31));
        await using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, PointAtServer).AddSource(fallback));

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        failure.Message.Should().Contain("AwsSecretsManager:prod/openai-api-key: failed").And.Contain("secretsmanager:GetSecretValue")
            .And.Contain("Memory:fallback: not tried");
        fallback.FetchCount.Should().Be(0);
        failure.ShouldNotContainSecrets(Secrets(TestKeys.Numbered(30)));
        services.GetFakeLogCollector().ShouldNotContainSecrets(Secrets(TestKeys.Numbered(30)));
    }

    [Fact]
    public async Task AddAwsSecretsManager_TraceLoggingThroughLoadRotationAndFailure_LogsNoCredentialSignatureOrKey()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(40));
        await using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, PointAtServer));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        await provider.GetKeyAsync();
        _server.PutSecretString(SecretName, TestKeys.Numbered(41));
        await AdvanceUntilChangedAsync(provider, TimeSpan.FromMinutes(6));
        _server.ExpireToken(_identity);
        _time.Advance(TimeSpan.FromSeconds(6));

        var served = await provider.RefreshAsync();

        served.Value.Should().Be(TestKeys.Numbered(41), "the last known good key is served while the store fails");
        var logs = services.GetFakeLogCollector();
        logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("ExpiredTokenException", StringComparison.Ordinal));
        logs.GetSnapshot().Should().Contain(r => r.Category!.StartsWith("KeyVaulting.AwsSecretsManager", StringComparison.Ordinal) && r.Level == LogLevel.Debug);
        logs.ShouldNotContainSecrets(Secrets(TestKeys.Numbered(40), TestKeys.Numbered(41)));
    }

    [Fact]
    public async Task AddAwsSecretsManager_ApplicationConfiguresTheNamedHttpClient_RequestsGoThroughItsHandlers()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(50));
        var handler = new HeaderAddingHandler();
        await using var services = Build(builder =>
        {
            builder.AddAwsSecretsManager(SecretName, PointAtServer);
            builder.Services.AddHttpClient("KeyVaulting.AwsSecretsManager").AddHttpMessageHandler(() => handler);
        });

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Numbered(50));
        handler.Calls.Should().Be(1);
        var received = _server.Requests.Single();
        received.Header("x-added-by-handler").Should().Be("yes");
        received.SignatureValid.Should().BeTrue("headers added after signing are not part of the signature");
    }

    [Fact]
    public async Task AddAwsSecretsManager_AppSetsAProxyHandlerAndTheEndpointRedirects_DoesNotSendTheSessionTokenToTheTarget()
    {
        await using var elsewhere = await FakeSecretsManager.StartAsync(_time);
        _server.RespondNextRaw(307, [], ("Location", elsewhere.Url.ToString()));
        await using var services = Build(builder =>
        {
            builder.AddAwsSecretsManager(SecretName, PointAtServer);

            // The documented way to add a proxy, after AddAwsSecretsManager: a new handler, which follows redirects by default.
            builder.Services.AddHttpClient("KeyVaulting.AwsSecretsManager")
                .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { Proxy = new WebProxy("http://proxy.example.test:3128") { BypassProxyOnLocal = true } });
        });

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        elsewhere.Requests.Should().BeEmpty("the redirect is not followed, so the session token and the signature never reach its target");
        failure.Message.Should().Contain("with a redirect (HTTP 307)");
        failure.ShouldNotContainSecrets(Secrets());
    }

    [Fact]
    public async Task AddAwsSecretsManager_AppSetsAPrimaryHandlerThatCannotBeChecked_FailsWithoutSendingTheRequest()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(51));
        await using var services = Build(builder =>
        {
            builder.AddAwsSecretsManager(SecretName, PointAtServer);
            builder.Services.AddHttpClient("KeyVaulting.AwsSecretsManager").ConfigurePrimaryHttpMessageHandler(() => new OpaqueHandler());
        });

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        failure.Message.Should().Contain("primary handler (OpaqueHandler)").And.Contain("cannot turn off redirects");
        _server.Requests.Should().BeEmpty("a client that might follow a redirect with the credentials is refused, not used");
    }

    [Fact]
    public void AddAwsSecretsManager_RegistersTheConfigurationFactory()
    {
        using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, PointAtServer));

        services.GetServices<IOpenAIKeySourceFactory>().Should().ContainSingle(f => f.TypeName == "AwsSecretsManager");
    }

    [Fact]
    public async Task AddAwsSecretsManager_OptionsChangedAfterAdd_HaveNoEffect()
    {
        _server.PutSecretString(SecretName, TestKeys.Numbered(60));
        AwsSecretsManagerKeySourceOptions? captured = null;
        await using var services = Build(builder => builder.AddAwsSecretsManager(SecretName, o =>
        {
            PointAtServer(o);
            captured = o;
        }));
        captured!.VersionStage = "AWSPREVIOUS";

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Numbered(60));
    }

    [Theory]
    [InlineData("region", "Region must be an AWS region name")]
    [InlineData("service-url-path", "ServiceUrl must have no path")]
    [InlineData("service-url-scheme", "ServiceUrl must be an absolute https://")]
    [InlineData("credentials-and-profile", "Set Credentials or Profile, not both.")]
    [InlineData("stage-and-id", "Set VersionStage or Version, not both")]
    [InlineData("short-version-id", "Version must be 32 to 64 characters long")]
    [InlineData("empty-stage", "VersionStage cannot be empty")]
    [InlineData("empty-json-field", "JsonField must name a JSON field")]
    [InlineData("empty-profile", "Profile cannot be empty")]
    public void AddAwsSecretsManager_InvalidSetting_ThrowsNamingIt(string problem, string expected)
    {
        var services = new ServiceCollection();
        Action<AwsSecretsManagerKeySourceOptions> configure = problem switch
        {
            "region" => o => o.Region = "US East (N. Virginia)",
            "service-url-path" => o => o.ServiceUrl = new Uri("https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com/prefix/"),
            "service-url-scheme" => o => o.ServiceUrl = new Uri("ftp://127.0.0.1/"),
            "credentials-and-profile" => o => { o.Credentials = new AnonymousAWSCredentials(); o.Profile = "prod"; },
            "stage-and-id" => o => { o.VersionStage = "AWSPREVIOUS"; o.Version = Guid.NewGuid().ToString(); },
            "short-version-id" => o => o.Version = "v1",
            "empty-stage" => o => o.VersionStage = " ",
            "empty-json-field" => o => o.JsonField = "",
            "empty-profile" => o => o.Profile = "",
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var act = () => services.AddOpenAIKeyProvider().AddAwsSecretsManager(SecretName, configure);

        act.Should().Throw<ArgumentException>()
            .Which.Should().Match<ArgumentException>(e => e.ParamName == "configure" && e.Message.Contains(expected, StringComparison.Ordinal)
                                                         && e.Message.Contains("AwsSecretsManager:prod/openai-api-key", StringComparison.Ordinal));
    }

    [Fact]
    public void AddAwsSecretsManager_KeyPastedAsJsonField_ThrowsWithoutRepeatingIt()
    {
        var key = TestKeys.Numbered(70);

        var act = () => new ServiceCollection().AddOpenAIKeyProvider().AddAwsSecretsManager(SecretName, o => o.JsonField = key);

        var failure = act.Should().Throw<ArgumentException>().Which;
        failure.Message.Should().Contain("JsonField must name a JSON field");
        failure.ShouldNotContainSecrets(key);
    }

    [Fact]
    public void AddAwsSecretsManager_VersionWithTheDefaultStage_IsAccepted()
    {
        var services = new ServiceCollection();

        var act = () => services.AddOpenAIKeyProvider().AddAwsSecretsManager(SecretName, o => o.Version = Guid.NewGuid().ToString());

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void AddAwsSecretsManager_EmptySecretId_Throws(string secretId)
    {
        var act = () => new ServiceCollection().AddOpenAIKeyProvider().AddAwsSecretsManager(secretId);

        act.Should().Throw<ArgumentException>().WithParameterName("secretId");
    }

    private void PointAtServer(AwsSecretsManagerKeySourceOptions options)
    {
        options.ServiceUrl = _server.Url;
        options.Region = FakeSecretsManager.Region;
        options.Credentials = _identity.Credentials;
    }

    private ServiceProvider Build(Action<IOpenAIKeyProviderBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        configure(services.AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromMinutes(5)));
        return services.BuildServiceProvider();
    }

    private async Task AdvanceUntilChangedAsync(IOpenAIKeyProvider provider, TimeSpan by)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = provider.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        _time.Advance(by);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private string[] Secrets(params string[] keys)
        => [.. keys, .. _identity.Secrets, .. _server.Requests.Select(r => r.Header("authorization")!.Split("Signature=")[^1])];

    /// <summary>A primary handler KeyVaulting knows nothing about: it cannot tell whether it follows redirects.</summary>
    private sealed class OpaqueHandler : DelegatingHandler
    {
        public OpaqueHandler()
            : base(new SocketsHttpHandler())
        {
        }
    }

    private sealed class HeaderAddingHandler : DelegatingHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            request.Headers.Add("X-Added-By-Handler", "yes");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
