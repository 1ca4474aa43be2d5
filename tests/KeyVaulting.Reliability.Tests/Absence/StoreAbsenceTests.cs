using System.ClientModel;
using System.ClientModel.Primitives;
using KeyVaulting.Reliability.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenAI.Chat;

namespace KeyVaulting.Reliability.Tests.Absence;

/// <summary>
/// Absence after presence, per store, through each store's real client or wire protocol: a deleted secret (or a
/// deleted version: Secrets Manager's <c>AWSCURRENT</c> stage, a soft-deleted Vault KV version) that served the key
/// keeps the last good key and reports Degraded, instead of switching the application to the next source's key; a
/// secret absent before any key was served falls through; and a kept key that OpenAI rejects falls through.
/// </summary>
public sealed class StoreAbsenceTests
{
    private const int RefreshFailedServingLastKnownGood = 3;

    public static TheoryData<string, StoreAbsence> Cases => new()
    {
        { Stores.AzureKeyVault, StoreAbsence.DeletedSecret },
        { Stores.AwsSecretsManager, StoreAbsence.DeletedSecret },
        { Stores.AwsSecretsManager, StoreAbsence.DeletedVersion },
        { Stores.HashiCorpVault, StoreAbsence.DeletedSecret },
        { Stores.HashiCorpVault, StoreAbsence.DeletedVersion },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Refresh_SecretDeletedAfterServingTheKey_KeepsTheLastGoodKeyAndReportsDegraded(string storeName, StoreAbsence absence)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);
        var fallback = Fallback(out var fallbackKey);
        await using var world = StoreWorld.Create(store, services: s => s.AddOpenAIKeyProvider().AddSource(fallback));
        var loaded = await world.GetKeyAsync();
        loaded.Value.Should().Be(store.Key.Value);

        store.Absence = absence;
        var readsBefore = world.ReadsEnded;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        var kept = await world.WaitForReadAsync(readsBefore);

        kept.Id.Id.Should().Be(RefreshFailedServingLastKnownGood, kept.Message);
        kept.Message.Should().Contain($"{store.SourceName} no longer has a key").And.Contain(store.ExpectedReason(absence));
        (await world.GetKeyAsync()).Should().BeSameAs(loaded, "a store that served the key and then has none keeps it");
        fallback.FetchCount.Should().Be(0, "the chain does not fall through to another key");
        var degraded = await world.CheckHealthAsync();
        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Entries.Values.Single().Data["lastError"].Should().BeOfType<string>().Which.Should().Contain("only when OpenAI rejects the kept key");

        store.Absence = StoreAbsence.None;
        var readsBeforeRetry = world.ReadsEnded;
        world.Time.Advance(StoreWorld.InitialRetryDelay * 1.2);
        await world.WaitForReadAsync(readsBeforeRetry);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy, "the secret is back");
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GetKeyAsync_SecretAbsentBeforeAnyKeyWasServed_FallsThroughToTheNextSource(string storeName, StoreAbsence absence)
    {
        await using var store = await Stores.StartAsync(storeName);
        var fallback = Fallback(out var fallbackKey);
        await using var world = StoreWorld.Create(store, services: s => s.AddOpenAIKeyProvider().AddSource(fallback));
        store.Absence = absence;

        var key = await world.GetKeyAsync();

        key.Source.Should().Be(fallback.Name, "at startup a store without the secret falls through");
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        world.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CompleteChat_SecretDeletedAndOpenAIRejectsTheKeptKey_FallsThroughAndResendsWithTheNextSourcesKey(string storeName, StoreAbsence absence)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);
        var fallback = Fallback(out var fallbackKey);
        var kept = store.Key.Value;
        await using var openAI = await LocalOpenAIServer.StartAsync(kept);
        using var http = new HttpClient();
        await using var world = StoreWorld.Create(store, services: s =>
        {
            s.AddOpenAIKeyProvider().AddSource(fallback);
            s.AddOpenAIClient(settings =>
            {
                settings.Endpoint = openAI.Endpoint;
                settings.Transport = new HttpClientPipelineTransport(http);
            });
            s.AddOpenAIChatClient("gpt-4o-mini");
        });
        var chat = world.Services.GetRequiredService<ChatClient>();
        (await chat.CompleteChatAsync([new UserChatMessage("warm-up")])).GetRawResponse().Status.Should().Be(200);
        store.Absence = absence;
        var readsBefore = world.ReadsEnded;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        (await world.WaitForReadAsync(readsBefore)).Id.Id.Should().Be(RefreshFailedServingLastKnownGood);

        // The kept key is revoked: the first 401 makes the provider read again, and a rejected key is not kept.
        openAI.RevokeKey(kept);
        openAI.AcceptKey(fallbackKey);
        var completion = await chat.CompleteChatAsync([new UserChatMessage("after-revocation")]);

        completion.GetRawResponse().Status.Should().Be(200);
        openAI.Requests.Where(r => r.Tag == "after-revocation").Select(r => r.Key).Should().Equal([kept, fallbackKey], "sent with the kept key, then once more with the next source's");
        (await world.GetKeyAsync()).Source.Should().Be(fallback.Name);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        world.Witness.ShouldNotHaveLeaked();
        world.Logs.ShouldNotContainSecrets(fallbackKey);
        unobserved.ShouldBeNone();
    }

    /// <summary>A source after the store, holding another generated key: where a wrong fall-through would lead.</summary>
    private static MutableKeySource Fallback(out string key)
    {
        key = Sentinel.Key().Value;
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(key);
        return fallback;
    }
}
