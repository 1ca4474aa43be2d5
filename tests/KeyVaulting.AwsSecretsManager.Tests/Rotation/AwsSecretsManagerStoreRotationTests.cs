using System.Text.Json.Nodes;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Rotation.Tests.EndToEnd;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Rotation;

/// <summary>The end-to-end rotation proofs on AWS Secrets Manager: the SigV4-verifying fake, the package's target and source.</summary>
public sealed class AwsSecretsManagerStoreRotationTests : StoreRotationTests
{
    private protected override async Task<IRotationStore> CreateStoreAsync(FakeTimeProvider time) => new Store(await FakeSecretsManager.StartAsync(time));

    private sealed class Store(FakeSecretsManager server) : IRotationStore
    {
        private const string SecretId = "prod/openai";

        private readonly AwsTestIdentity _identity = server.AddIdentity(temporary: false);

        public IEnumerable<string> Secrets => _identity.Secrets;

        public Task SeedAsync(string key, OpenAIKeyRecord record)
        {
            var json = new JsonObject { ["api_key"] = key, ["keyvaulting"] = RotationRecordJson.Write(record) };
            server.PutSecretString(SecretId, json.ToJsonString());
            return Task.CompletedTask;
        }

        public IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services)
            => AwsSecretsManagerRotation.CreateTarget(services, SecretId, Configure);

        public void AddSource(IOpenAIKeyProviderBuilder provider) => provider.AddAwsSecretsManager(SecretId, Configure);

        public ValueTask DisposeAsync() => server.DisposeAsync();

        private void Configure(AwsSecretsManagerKeySourceOptions options)
        {
            options.ServiceUrl = server.Url;
            options.Region = FakeSecretsManager.Region;
            options.Credentials = _identity.Credentials;
            options.JsonField = "api_key";
        }
    }
}
