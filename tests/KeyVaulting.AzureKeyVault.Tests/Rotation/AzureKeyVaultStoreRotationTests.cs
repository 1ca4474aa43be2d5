using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Rotation.Tests.EndToEnd;
using KeyVaulting.Rotation.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AzureKeyVault.Tests.Rotation;

/// <summary>The end-to-end rotation proofs on Azure Key Vault: the HTTPS fake vault, the package's target and source.</summary>
public sealed class AzureKeyVaultStoreRotationTests : StoreRotationTests
{
    private protected override async Task<IRotationStore> CreateStoreAsync(FakeTimeProvider time)
    {
        var vault = await FakeKeyVault.StartAsync();
        vault.Time = time;
        return new Store(vault);
    }

    private sealed class Store(FakeKeyVault vault) : IRotationStore
    {
        private const string SecretName = "openai-api-key";

        public IEnumerable<string> Secrets => [vault.Credential.Token];

        public Task SeedAsync(string key, OpenAIKeyRecord record)
        {
            var tags = new Dictionary<string, string>();
            KeyVaulting.AzureKeyVault.Internal.Rotation.KeyVaultRotationTags.SetCurrent(tags, record);
            vault.AddVersion(SecretName, key, tags: tags);
            return Task.CompletedTask;
        }

        public IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services)
            => AzureKeyVaultRotation.CreateTarget(services, vault.VaultUri, SecretName, Configure);

        public void AddSource(IOpenAIKeyProviderBuilder provider) => provider.AddAzureKeyVault(vault.VaultUri, SecretName, Configure);

        public ValueTask DisposeAsync() => vault.DisposeAsync();

        private void Configure(AzureKeyVaultKeySourceOptions options)
        {
            options.Credential = vault.Credential;
            options.ConfigureClientOptions = vault.ClientOptions();
        }
    }
}
