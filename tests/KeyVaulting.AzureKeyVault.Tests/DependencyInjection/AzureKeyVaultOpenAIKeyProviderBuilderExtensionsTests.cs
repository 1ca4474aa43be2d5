using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Tests.DependencyInjection;

/// <summary>
/// <c>services.AddOpenAIKeyProvider().AddAzureKeyVault(…)</c> end to end: the provider, its refresh schedule on fake
/// time, the real <c>SecretClient</c> and a local Key Vault.
/// </summary>
public sealed class AzureKeyVaultOpenAIKeyProviderBuilderExtensionsTests : IAsyncLifetime
{
    private const string SecretName = "openai-api-key";

    private readonly ProviderHarness _harness = new();
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task AddAzureKeyVault_Provider_ServesKeyFromVaultWithVersion()
    {
        var version = _vault.AddVersion(SecretName, TestKeys.Project('A'));
        await using var services = Build();

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Project('A'));
        key.Source.Should().Be("AzureKeyVault:openai-api-key");
        key.Version.Should().Be(version.Id);
    }

    [Fact]
    public async Task AddAzureKeyVault_NewVersionAdded_ServedAfterRefreshInterval()
    {
        _vault.AddVersion(SecretName, TestKeys.Project('A'));
        await using var services = Build();
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        await provider.GetKeyAsync();

        var rotated = _vault.AddVersion(SecretName, TestKeys.Project('B'));
        var changed = ProviderHarness.WhenChanged(provider);
        _harness.Time.Advance(TimeSpan.FromMinutes(6));
        await changed.WaitAsync(TimeSpan.FromSeconds(10));

        var key = await provider.GetKeyAsync();
        key.Value.Should().Be(TestKeys.Project('B'));
        key.Version.Should().Be(rotated.Id);
        var logs = ProviderHarness.Logs(services);
        logs.GetSnapshot().Should().Contain(r => r.Message.Contains("rotated its key", StringComparison.Ordinal) && r.Message.Contains(rotated.Id, StringComparison.Ordinal));
        logs.ShouldNotContainSecrets(TestKeys.Project('A'), TestKeys.Project('B'), _vault.Credential.Token);
    }

    [Fact]
    public async Task AddAzureKeyVault_SecretExpiresOn_ProviderRefreshesAheadOfExpiry()
    {
        var expiresOn = _harness.Time.GetUtcNow().AddMinutes(10);
        _vault.AddVersion(SecretName, TestKeys.Project('A'), expiresOn: expiresOn);
        await using var services = Build(options => options.RefreshInterval = TimeSpan.FromHours(1));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).ExpiresAt.Should().Be(expiresOn);

        var rotated = _vault.AddVersion(SecretName, TestKeys.Project('B'), expiresOn: expiresOn.AddDays(30));
        var changed = ProviderHarness.WhenChanged(provider);
        _harness.Time.Advance(TimeSpan.FromMinutes(8.5));
        await changed.WaitAsync(TimeSpan.FromSeconds(10));

        (await provider.GetKeyAsync()).Version.Should().Be(rotated.Id, "the refresh came before the expiry, not after the hour-long interval");
    }

    [Fact]
    public async Task AddAzureKeyVault_VaultFailsWithServerError_KeepsLastKnownGoodKey()
    {
        var good = _vault.AddVersion(SecretName, TestKeys.Project('A'));
        await using var services = Build();
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        await provider.GetKeyAsync();

        _vault.Outage = new ScriptedResponse(503, KeyVaultFixtures.ErrorBody("ServiceUnavailable", "The service is unavailable."));
        _harness.Time.Advance(TimeSpan.FromMinutes(6));
        var during = await provider.RefreshAsync();

        during.Version.Should().Be(good.Id);
        during.Value.Should().Be(TestKeys.Project('A'));
        var warning = ProviderHarness.Logs(services).GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning).Subject;
        warning.Message.Should().Contain("503 ServiceUnavailable").And.Contain("last known good");

        _vault.Outage = null;
        var next = _vault.AddVersion(SecretName, TestKeys.Project('B'));
        _harness.Time.Advance(TimeSpan.FromMinutes(6));
        (await provider.RefreshAsync()).Version.Should().Be(next.Id);
        ProviderHarness.Logs(services).ShouldNotContainSecrets(TestKeys.Project('A'), TestKeys.Project('B'), _vault.Credential.Token);
    }

    [Fact]
    public async Task AddAzureKeyVault_SecretMissing_FallsThroughToNextSource()
    {
        var variable = "KEYVAULTING_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, TestKeys.Project('E'));
        try
        {
            await using var services = Build(chain: builder => builder.AddEnvironmentVariable(variable));

            var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

            key.Source.Should().Be($"EnvironmentVariable:{variable}");
            _vault.AuthenticatedRequests.Should().ContainSingle("the vault was asked first");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task AddAzureKeyVault_AccessDenied_StopsTheChainAndNamesTheRole()
    {
        var variable = "KEYVAULTING_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, TestKeys.Project('E'));
        try
        {
            _vault.AddVersion(SecretName, TestKeys.Project('A'));
            _vault.Outage = new ScriptedResponse(403, KeyVaultFixtures.ForbiddenByRbacBody());
            await using var services = Build(chain: builder => builder.AddEnvironmentVariable(variable));

            var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

            var failure = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
            failure.Message.Should().Contain("AzureKeyVault:openai-api-key: failed")
                .And.Contain("'Key Vault Secrets User' role")
                .And.Contain($"EnvironmentVariable:{variable}: not tried");
            failure.ShouldNotContainSecrets(TestKeys.Project('A'), TestKeys.Project('E'), _vault.Credential.Token);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task AddAzureKeyVault_ExpiredSecret_IsReportedNotServed()
    {
        _vault.AddVersion(SecretName, TestKeys.Project('A'), expiresOn: _harness.Time.GetUtcNow().AddDays(-1));
        await using var services = Build();

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        var failure = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        failure.Message.Should().Contain("expired at");
        failure.ShouldNotContainSecrets(TestKeys.Project('A'));
    }

    [Fact]
    public async Task AddAzureKeyVault_ReadySecretClient_ReadsThroughThatClient()
    {
        var version = _vault.AddVersion(SecretName, $$"""{"apiKey":"{{TestKeys.Project('J')}}"}""");
        var client = new SecretClient(_vault.VaultUri, _vault.Credential, _vault.CreateClientOptions());
        _harness.Services.AddOpenAIKeyProvider().AddAzureKeyVault(client, SecretName, o => o.JsonField = "apiKey");
        await using var services = _harness.Build();

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Project('J'));
        key.Version.Should().Be(version.Id);
    }

    [Fact]
    public async Task AddAzureKeyVault_ReadySecretClientDenied_MessageNamesTheClientsCredential()
    {
        _vault.Outage = new ScriptedResponse(403, KeyVaultFixtures.AccessDeniedBody());
        var client = new SecretClient(_vault.VaultUri, _vault.Credential, _vault.CreateClientOptions());
        _harness.Services.AddOpenAIKeyProvider().AddAzureKeyVault(client, SecretName);
        await using var services = _harness.Build();

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which.Message
            .Should().Contain("for the identity of the SecretClient's credential");
    }

    [Fact]
    public void AddAzureKeyVault_RegistersTheConfigurationFactory()
    {
        _harness.Services.AddOpenAIKeyProvider().AddAzureKeyVault(_vault.VaultUri, SecretName, o => o.Credential = _vault.Credential);
        using var services = _harness.Build();

        services.GetServices<IOpenAIKeySourceFactory>().Should().ContainSingle(f => f.TypeName == "AzureKeyVault");
    }

    [Theory]
    [InlineData("http://my-vault.vault.azure.net/")]
    [InlineData("ftp://my-vault.vault.azure.net/")]
    public void AddAzureKeyVault_VaultUriNotHttps_Throws(string uri)
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri(uri), SecretName);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("vaultUri");
    }

    [Fact]
    public void AddAzureKeyVault_RelativeVaultUri_Throws()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri("my-vault", UriKind.Relative), SecretName);

        act.Should().Throw<ArgumentException>().WithMessage("*absolute https URI*");
    }

    [Theory]
    [InlineData("openai_api_key")]
    [InlineData("openai/api-key")]
    [InlineData(" ")]
    public void AddAzureKeyVault_InvalidSecretName_Throws(string secretName)
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri("https://my-vault.vault.azure.net/"), secretName);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("secretName");
    }

    [Fact]
    public void AddAzureKeyVault_KeyPastedAsSecretName_ThrowsWithoutRepeatingIt()
    {
        var key = TestKeys.Project();
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri("https://my-vault.vault.azure.net/"), key);

        var failure = act.Should().Throw<ArgumentException>().Which;
        failure.ParamName.Should().Be("secretName");
        failure.Message.Should().Contain("looks like an OpenAI key");
        failure.ShouldNotContainSecrets(key);
    }

    [Fact]
    public void AddAzureKeyVault_SecretNameThatMerelyContainsSk_IsAccepted()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri("https://my-vault.vault.azure.net/"), "task-openai-api-key-production-west");

        act.Should().NotThrow("only a name that starts like a key is taken for one");
    }

    [Fact]
    public void AddAzureKeyVault_InvalidVersion_Throws()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddAzureKeyVault(new Uri("https://my-vault.vault.azure.net/"), SecretName, o => o.Version = "latest/1");

        act.Should().Throw<ArgumentException>().WithMessage("*Version must be*");
    }

    [Fact]
    public void AddAzureKeyVault_ContentLoggingEnabled_FailsAtStartupBecauseItWouldLogTheSecret()
    {
        _harness.Services.AddOpenAIKeyProvider().AddAzureKeyVault(
            new Uri("https://my-vault.vault.azure.net/"), SecretName, o => o.ConfigureClientOptions = co => co.Diagnostics.IsLoggingContentEnabled = true);
        using var services = _harness.Build();

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().WithMessage("AzureKeyVault:openai-api-key: *IsLoggingContentEnabled*secret*");
    }

    [Fact]
    public void AddAzureKeyVault_AuthorizationHeaderLogged_FailsAtStartupBecauseItWouldLogTheToken()
    {
        _harness.Services.AddOpenAIKeyProvider().AddAzureKeyVault(
            new Uri("https://my-vault.vault.azure.net/"), SecretName, o => o.ConfigureClientOptions = co => co.Diagnostics.LoggedHeaderNames.Add("Authorization"));
        using var services = _harness.Build();

        var act = () => services.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*Authorization*");
    }

    [Fact]
    public void AddAzureKeyVault_ReadySecretClientWithCredentialOption_Throws()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();
        var client = new SecretClient(new Uri("https://my-vault.vault.azure.net/"), new TestCredential());

        var act = () => builder.AddAzureKeyVault(client, SecretName, o => o.Credential = new TestCredential());

        act.Should().Throw<ArgumentException>().WithMessage("*client's own credential*");
    }

    private ServiceProvider Build(Action<OpenAIKeyProviderOptions>? options = null, Action<IOpenAIKeyProviderBuilder>? chain = null)
    {
        var builder = _harness.Services
            .AddOpenAIKeyProvider(o =>
            {
                o.RefreshInterval = TimeSpan.FromMinutes(5);
                options?.Invoke(o);
            })
            .AddAzureKeyVault(_vault.VaultUri, SecretName, o =>
            {
                o.Credential = _vault.Credential;
                o.ConfigureClientOptions = _vault.ClientOptions();
            });
        chain?.Invoke(builder);
        return _harness.Build();
    }
}
