using Azure.Identity;
using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.AzureKeyVault.Tests;

/// <summary>
/// Selecting Azure Key Vault by configuration alone (<c>"Type": "AzureKeyVault"</c>): the core loads the factory by
/// name, the settings are checked strictly and the credential is chosen by <c>Credential</c>.
/// </summary>
public sealed class AzureKeyVaultKeySourceFactoryTests : IAsyncLifetime
{
    private const string Section = "KeyVaulting:Sources:Vault";

    private readonly ProviderHarness _harness = new();
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Configuration_TypeAzureKeyVault_ServesKeyWithoutAnyCodeCall()
    {
        var version = _vault.AddVersion("openai-api-key", TestKeys.Project('C'));
        var configuration = Configuration(new()
        {
            ["KeyVaulting:Chain"] = "Vault",
            [$"{Section}:Type"] = "AzureKeyVault",
            [$"{Section}:VaultUri"] = _vault.VaultUri.ToString(),
            [$"{Section}:SecretName"] = "openai-api-key",
        });
        _harness.Services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        TrustTheLocalVault("Vault");
        await using var services = _harness.Build();
        await ProviderHarness.StartAsync(services);

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Project('C'));
        key.Source.Should().Be("AzureKeyVault:openai-api-key");
        key.Version.Should().Be(version.Id);
    }

    [Fact]
    public async Task Configuration_VersionAndJsonField_AreApplied()
    {
        var pinned = _vault.AddVersion("openai", $$"""{"apiKey":"{{TestKeys.Project('P')}}","organization":"org-test"}""");
        _vault.AddVersion("openai", $$"""{"apiKey":"{{TestKeys.Project('Q')}}"}""");
        var configuration = Configuration(new()
        {
            [$"{Section}:Type"] = "AzureKeyVault",
            [$"{Section}:VaultUri"] = _vault.VaultUri.ToString(),
            [$"{Section}:SecretName"] = "openai",
            [$"{Section}:Version"] = pinned.Id,
            [$"{Section}:JsonField"] = "apiKey",
        });
        _harness.Services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        TrustTheLocalVault("Vault");
        await using var services = _harness.Build();

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(TestKeys.Project('P'));
        key.Source.Should().Be($"AzureKeyVault:openai@{pinned.Id}");
    }

    [Theory]
    [InlineData("http://insecure-vault.example/")]
    [InlineData("insecure-vault.example")]
    [InlineData("/relative/insecure-vault")]
    public async Task Startup_InvalidVaultUri_FailsNamingTheSettingNotTheValue(string vaultUri)
    {
        var configuration = Configuration(new()
        {
            [$"{Section}:Type"] = "AzureKeyVault",
            [$"{Section}:VaultUri"] = vaultUri,
            [$"{Section}:SecretName"] = "openai-api-key",
        });
        _harness.Services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        await using var services = _harness.Build();

        var act = () => ProviderHarness.StartAsync(services);

        var failure = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        failure.Message.Should().Contain($"Configuration '{Section}' is invalid: VaultUri must be an absolute https URI");
        failure.Message.Should().NotContain("insecure-vault");
    }

    [Fact]
    public void Create_SecretNameMissing_FailsNamingTheSetting()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/" });

        act.Should().Throw<InvalidOperationException>().WithMessage($"*{Section}:SecretName*required*");
    }

    [Fact]
    public void Create_InvalidSecretName_FailsNamingTheRule()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai_api_key" });

        act.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: SecretName must be 1 to 127 letters, digits or dashes*");
    }

    [Fact]
    public void Create_MisspelledSetting_FailsNamingIt()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai", ["JsonFeild"] = "apiKey" });

        act.Should().Throw<InvalidOperationException>().WithMessage("*'JsonFeild'*Valid settings are*JsonField*");
    }

    [Fact]
    public void Create_ClientSecretInConfiguration_IsRefusedWithoutEchoingIt()
    {
        var secret = "client-secret-" + Guid.NewGuid();
        var act = () => Create(new()
        {
            ["VaultUri"] = "https://my-vault.vault.azure.net/",
            ["SecretName"] = "openai",
            ["CredentialType"] = "ClientSecret",
            ["ClientSecret"] = secret,
        });

        var failure = act.Should().Throw<InvalidOperationException>().Which;
        failure.Message.Should().Contain($"'{Section}:ClientSecret' is not allowed").And.Contain("ClientSecretEnvironmentVariable");
        failure.ShouldNotContainSecrets(secret);
    }

    [Theory]
    [InlineData(null, typeof(DefaultAzureCredential))]
    [InlineData("Default", typeof(DefaultAzureCredential))]
    [InlineData("managedidentity", typeof(ManagedIdentityCredential))]
    [InlineData("WorkloadIdentity", typeof(WorkloadIdentityCredential))]
    [InlineData("AzureCli", typeof(AzureCliCredential))]
    public void Create_Credential_UsesTheMatchingAzureIdentityCredential(string? credential, Type expected)
    {
        var source = Create(new()
        {
            ["VaultUri"] = "https://my-vault.vault.azure.net/",
            ["SecretName"] = "openai",
            ["CredentialType"] = credential,
        });

        source.CredentialName.Should().Be(expected.Name);
    }

    [Fact]
    public void Create_UserAssignedManagedIdentity_UsesManagedIdentityCredential()
    {
        var source = Create(new()
        {
            ["VaultUri"] = "https://my-vault.vault.azure.net/",
            ["SecretName"] = "openai",
            ["CredentialType"] = "ManagedIdentity",
            ["ManagedIdentityClientId"] = Guid.NewGuid().ToString(),
        });

        source.CredentialName.Should().Be(nameof(ManagedIdentityCredential));
    }

    [Fact]
    public void Create_ClientSecretCredential_ReadsTheSecretFromTheNamedEnvironmentVariable()
    {
        var variable = "KEYVAULTING_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "client-secret-" + Guid.NewGuid());
        try
        {
            var source = Create(ClientSecretSettings(variable));

            source.CredentialName.Should().Be(nameof(ClientSecretCredential));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Create_ClientSecretVariableNotSet_FailsNamingTheVariable()
    {
        var variable = "KEYVAULTING_TEST_" + Guid.NewGuid().ToString("N");

        var act = () => Create(ClientSecretSettings(variable));

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"Configuration '{Section}': ClientSecretEnvironmentVariable names the environment variable {variable}, which is not set.*");
    }

    [Fact]
    public void Create_ClientSecretWithoutTenant_FailsNamingTheSetting()
    {
        var settings = ClientSecretSettings("SOME_VARIABLE");
        settings.Remove("TenantId");

        var act = () => Create(settings);

        act.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: TenantId is required with CredentialType ClientSecret*");
    }

    [Fact]
    public void Create_UnknownCredential_FailsListingTheChoices()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai", ["CredentialType"] = "Certificate" });

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"Configuration '{Section}' is invalid: CredentialType must be one of Default, ManagedIdentity, WorkloadIdentity, AzureCli, ClientSecret*");
    }

    [Fact]
    public void Create_CredentialTypeGivenAsCredential_FailsPointingAtCredentialType()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai", ["Credential"] = "ManagedIdentity" });

        act.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}:Credential' cannot choose the credential: use CredentialType*");
    }

    [Fact]
    public void Create_SettingNotUsedByTheCredential_FailsNamingIt()
    {
        var act = () => Create(new()
        {
            ["VaultUri"] = "https://my-vault.vault.azure.net/",
            ["SecretName"] = "openai",
            ["CredentialType"] = "ManagedIdentity",
            ["TenantId"] = Guid.NewGuid().ToString(),
        });

        act.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: TenantId is not used by CredentialType ManagedIdentity*");
    }

    [Fact]
    public void Create_InvalidVersion_FailsNamingTheSetting()
    {
        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai", ["Version"] = "v1/2" });

        act.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: Version must be*");
    }

    [Fact]
    public void Create_CredentialSuppliedInCode_IsUsedWhenConfigurationChoosesNone()
    {
        _harness.Services.Configure<AzureKeyVaultKeySourceOptions>("Vault", o => o.Credential = new TestCredential());

        var source = Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai" });

        source.CredentialName.Should().Be(nameof(TestCredential));
    }

    [Fact]
    public void Create_CodeOptionsLogContent_FailsBecauseItWouldLogTheSecret()
    {
        _harness.Services.Configure<AzureKeyVaultKeySourceOptions>("Vault", o => o.ConfigureClientOptions = co => co.Diagnostics.IsLoggingContentEnabled = true);

        var act = () => Create(new() { ["VaultUri"] = "https://my-vault.vault.azure.net/", ["SecretName"] = "openai" });

        act.Should().Throw<InvalidOperationException>().WithMessage("*IsLoggingContentEnabled*");
    }

    private static Dictionary<string, string?> ClientSecretSettings(string variable) => new()
    {
        ["VaultUri"] = "https://my-vault.vault.azure.net/",
        ["SecretName"] = "openai",
        ["CredentialType"] = "ClientSecret",
        ["TenantId"] = Guid.NewGuid().ToString(),
        ["ClientId"] = Guid.NewGuid().ToString(),
        ["ClientSecretEnvironmentVariable"] = variable,
    };

    private static IConfiguration Configuration(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>Creates the source of <c>KeyVaulting:Sources:Vault</c> with the factory, as the core does.</summary>
    private AzureKeyVaultKeySource Create(Dictionary<string, string?> settings)
    {
        var configuration = Configuration(settings.ToDictionary(kv => $"{Section}:{kv.Key}", kv => kv.Value));
        using var services = _harness.Build();
        var context = new OpenAIKeySourceFactoryContext(string.Empty, configuration.GetSection(Section), services);
        return (AzureKeyVaultKeySource)new AzureKeyVaultKeySourceFactory().Create(context);
    }

    /// <summary>What configuration cannot say: the test's credential and the transport that trusts the local vault.</summary>
    private void TrustTheLocalVault(string sourceKey)
        => _harness.Services.Configure<AzureKeyVaultKeySourceOptions>(sourceKey, o =>
        {
            o.Credential = _vault.Credential;
            o.ConfigureClientOptions = _vault.ClientOptions();
        });
}
