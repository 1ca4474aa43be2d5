using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Rotation.Tests.EndToEnd;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Rotation;

/// <summary>The end-to-end rotation proofs on HashiCorp Vault KV version 2: the fake Vault, the package's target and source.</summary>
public sealed class HashiCorpVaultStoreRotationTests : StoreRotationTests
{
    private protected override async Task<IRotationStore> CreateStoreAsync(FakeTimeProvider time) => new Store(await FakeVaultServer.StartAsync(time));

    private sealed class Store : IRotationStore
    {
        private readonly FakeVaultServer _server;
        private readonly string _token;

        public Store(FakeVaultServer server)
        {
            _server = server;
            _server.Vault.EnableKv();
            // The scenarios run through 30 days of fake time: a token that lives that long (an application would log in with AppRole or Kubernetes).
            _token = _server.Vault.CreateToken(new TokenPolicy { Read = ["secret/data/openai"], Write = ["secret/data/openai"], Ttl = TimeSpan.FromDays(365) });
        }

        public IEnumerable<string> Secrets => _server.Vault.Secrets;

        public Task SeedAsync(string key, OpenAIKeyRecord record)
        {
            var meta = RotationRecordJson.Write(record);
            meta[RotationRecordJson.ValueCheck] = RotationRecordJson.Check(key);
            _server.Vault.PutKv2("secret", "openai", new Dictionary<string, object?> { ["api_key"] = key, ["keyvaulting"] = meta });
            return Task.CompletedTask;
        }

        public IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services)
            => HashiCorpVaultRotation.CreateTarget(services, "openai", Configure);

        public void AddSource(IOpenAIKeyProviderBuilder provider) => provider.AddHashiCorpVault("openai", Configure);

        public ValueTask DisposeAsync() => _server.DisposeAsync();

        private void Configure(HashiCorpVaultKeySourceOptions options)
        {
            options.Address = _server.Address;
            options.UseToken(_token);
        }
    }
}
