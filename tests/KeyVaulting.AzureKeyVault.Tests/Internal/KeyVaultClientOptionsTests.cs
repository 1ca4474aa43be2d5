using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Tests.Internal;

/// <summary>The credential and the Azure SDK client options a source is created with.</summary>
public sealed class KeyVaultClientOptionsTests
{
    private static readonly Uri VaultUri = new("https://my-vault.vault.azure.net/");

    [Fact]
    public void Create_NoCredential_UsesDefaultAzureCredential()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var source = AzureKeyVaultKeySourceFactory.Create(services, new AzureKeyVaultKeySourceOptions { VaultUri = VaultUri, SecretName = "openai-api-key" }, "test");

        source.CredentialName.Should().Be(nameof(DefaultAzureCredential));
        source.Client.VaultUri.Should().Be(VaultUri);
    }

    [Fact]
    public void Create_Source_LogsWhichCredentialReadsWhichVault()
    {
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace))
            .AddFakeLogging()
            .BuildServiceProvider();

        AzureKeyVaultKeySourceFactory.Create(services, new AzureKeyVaultKeySourceOptions { VaultUri = VaultUri, SecretName = "openai-api-key", Version = "0123abcd" }, "test");

        var record = services.GetFakeLogCollector().LatestRecord;
        record.Id.Id.Should().Be(103);
        record.Message.Should().Be("AzureKeyVault:openai-api-key@0123abcd reads Azure Key Vault https://my-vault.vault.azure.net/ with DefaultAzureCredential.");
    }

    [Fact]
    public void Create_SourcesSharingConfigureClientOptions_EachGetsANewInstanceWithThePinnedVersion()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var seen = new List<(SecretClientOptions Options, SecretClientOptions.ServiceVersion Version)>();
        Action<SecretClientOptions> configure = o => seen.Add((o, o.Version));

        foreach (var name in new[] { "key-a", "key-b" })
        {
            AzureKeyVaultKeySourceFactory.Create(
                services, new AzureKeyVaultKeySourceOptions { VaultUri = VaultUri, SecretName = name, Credential = new TestCredential(), ConfigureClientOptions = configure }, name);
        }

        seen.Should().HaveCount(2);
        seen[0].Options.Should().NotBeSameAs(seen[1].Options, "nothing the application shares is changed: each source adds its cap to its own instance");
        seen.Should().OnlyContain(s => s.Version == SecretClientOptions.ServiceVersion.V7_6);
    }

    [Fact]
    public void Create_ServiceVersionSet_IsUsed()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        SecretClientOptions.ServiceVersion? version = null;

        AzureKeyVaultKeySourceFactory.Create(
            services,
            new AzureKeyVaultKeySourceOptions
            {
                VaultUri = VaultUri,
                SecretName = "openai",
                Credential = new TestCredential(),
                ServiceVersion = SecretClientOptions.ServiceVersion.V7_5,
                ConfigureClientOptions = o => version = o.Version,
            },
            "test");

        version.Should().Be(SecretClientOptions.ServiceVersion.V7_5);
    }
}
