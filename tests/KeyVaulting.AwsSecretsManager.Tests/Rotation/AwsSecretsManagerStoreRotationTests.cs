using System.Text.Json.Nodes;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.Rotation;
using KeyVaulting.Rotation.Tests.EndToEnd;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.Rotation;

/// <summary>The end-to-end rotation proofs on AWS Secrets Manager: the SigV4-verifying fake, the package's target and source.</summary>
public sealed class AwsSecretsManagerStoreRotationTests : StoreRotationTests
{
    private Store? _store;

    /// <summary>
    /// The four steps of a Secrets Manager rotation function, each in a new invocation (a new rotator, as a Lambda
    /// cold start would create it), against the fake with the package's target: the key is staged under the event's
    /// ClientRequestToken with AWSPENDING, tested, promoted to AWSCURRENT, and the replaced key revoked by the next
    /// rotation's createSecret.
    /// </summary>
    [Fact]
    public async Task RunSecretsManagerStepAsync_FourStepsEachInANewInvocation_StagesUnderTheTokenThenMovesAwsCurrent()
    {
        await using var world = await RotationWorld.StartAsync(CreateStoreAsync);
        var token = Guid.NewGuid().ToString();
        world.Time.Advance(RotationScenarios.Interval);

        (await world.CreateRotator().RunSecretsManagerStepAsync("createSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged);
        (await world.CreateRotator().RunSecretsManagerStepAsync("createSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged, "Secrets Manager may retry a step");
        _store!.Server.Labels(Store.SecretId)[token].Should().Equal(["AWSPENDING"], "the staged key's version id is the event's ClientRequestToken");
        (await world.CreateRotator().RunSecretsManagerStepAsync("setSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Staged);
        (await world.CreateRotator().RunSecretsManagerStepAsync("testSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Tested);
        (await world.CurrentValueAsync()).Should().Be(world.InitialKey.Value, "nothing is current before finishSecret");

        (await world.CreateRotator().RunSecretsManagerStepAsync("finishSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        (await world.CreateRotator().RunSecretsManagerStepAsync("finishSecret", token)).Outcome.Should().Be(OpenAIKeyRotationOutcome.NotDue, "a repeated finishSecret changes nothing");

        world.Admin.MintCount.Should().Be(1);
        var minted = world.Admin.Keys.Single(k => k.Minted);
        (await world.CurrentValueAsync()).Should().Be(minted.Value);
        _store.Server.Labels(Store.SecretId)[token].Should().Contain("AWSCURRENT");
        _store.Server.Labels(Store.SecretId).Should().ContainSingle(l => l.Value.Contains("AWSPREVIOUS"), "Secrets Manager moved AWSPREVIOUS to the replaced version");
        world.InitialKey.IsRevoked.Should().BeFalse();

        // The next scheduled rotation's createSecret revokes the key this one replaced.
        world.Time.Advance(RotationScenarios.Interval);
        await world.CreateRotator().RunSecretsManagerStepAsync("createSecret", Guid.NewGuid().ToString());
        world.InitialKey.IsRevoked.Should().BeTrue();
        world.ShouldNotHaveLeaked();
    }

    private protected override async Task<IRotationStore> CreateStoreAsync(FakeTimeProvider time) => _store = new Store(await FakeSecretsManager.StartAsync(time));

    private sealed class Store(FakeSecretsManager server) : IRotationStore
    {
        public const string SecretId = "prod/openai";

        private readonly AwsTestIdentity _identity = server.AddIdentity(temporary: false);

        public FakeSecretsManager Server => server;

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
