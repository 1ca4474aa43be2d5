using Azure.Identity;
using KeyVaulting.AzureKeyVault.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Tests.Internal;

public sealed class AzureKeyVaultKeySourceBuilderTests
{
    [Fact]
    public void Create_NoCredential_UsesDefaultAzureCredential()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var source = AzureKeyVaultKeySourceBuilder.Create(
            services, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key", new AzureKeyVaultKeySourceOptions());

        source.CredentialName.Should().Be(nameof(DefaultAzureCredential));
        source.Client.VaultUri.Should().Be(new Uri("https://my-vault.vault.azure.net/"));
    }

    [Fact]
    public void Create_Source_LogsWhichCredentialReadsWhichVault()
    {
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace))
            .AddFakeLogging()
            .BuildServiceProvider();

        AzureKeyVaultKeySourceBuilder.Create(
            services, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key", new AzureKeyVaultKeySourceOptions { Version = "0123abcd" });

        var record = services.GetFakeLogCollector().LatestRecord;
        record.Id.Id.Should().Be(103);
        record.Message.Should().Be("AzureKeyVault:openai-api-key@0123abcd reads Azure Key Vault https://my-vault.vault.azure.net/ with DefaultAzureCredential.");
    }
}
