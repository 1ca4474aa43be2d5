using KeyVaulting.Testing;
using System.ClientModel;
using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace KeyVaulting.Reliability.Tests.Load;

/// <summary>
/// A revocation under load, through the official OpenAI client wired by <c>AddOpenAIClient</c> over HashiCorp Vault:
/// 10,000 chat completions are sent at once; 1,000 of them are in flight at OpenAI with the old key when the key is
/// rotated in Vault and revoked at OpenAI. Every 401 asks the provider for a newer key, yet Vault is read a bounded
/// number of times (the refresh is single-flight and rate-limited), each request is sent at most twice, and none fails.
/// </summary>
/// <remarks>
/// The OpenAI SDK's default transport opens one connection per concurrent request, with no limit KeyVaulting can set;
/// 10,000 at once would need 20,000 file descriptors in this process (client and server ends), more than test machines
/// allow. So the 10,000 calls start together but pass a gate of <see cref="InFlight"/> concurrent requests.
/// </remarks>
public sealed class RevocationStormTests
{
    private const int Requests = 10_000;
    private const int InFlight = 1_000;

    [Fact]
    public async Task CompleteChat_10000RequestsWhileTheKeyIsRevoked_AtMostTwoStoreReadsAndNoFailure()
    {
        await using var store = await HashiCorpVaultStore.StartAsync();
        var revoked = store.Key.Value;
        await using var openAI = await LocalOpenAIServer.StartAsync(revoked);
        await using var world = StoreWorld.Create(store, services: services =>
        {
            services.AddOpenAIClient(settings =>
            {
                settings.Endpoint = openAI.Endpoint;
                settings.MaxRetries = 0; // only the 401 recovery may send a request again
                settings.NetworkTimeout = TimeSpan.FromMinutes(1);
            });
            services.AddOpenAIChatClient("gpt-4o-mini");
        });
        var chat = world.Services.GetRequiredService<ChatClient>();
        (await chat.CompleteChatAsync([new UserChatMessage("warm-up")])).GetRawResponse().Status.Should().Be(200);
        var readsBefore = store.SecretReads;
        var requestsBefore = openAI.RequestCount;

        openAI.HoldResponses();
        using var gate = new SemaphoreSlim(InFlight);
        var storm = Enumerable.Range(0, Requests).Select(i => SendAsync(chat, gate, i)).ToList();
        await Eventually.TrueAsync(() => openAI.InFlight == InFlight, $"{InFlight} requests should be in flight with the old key");
        var replacement = store.Rotate();
        openAI.AcceptKey(replacement.Value);
        openAI.RevokeKey(revoked);
        openAI.ReleaseResponses();
        var statuses = await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(60));

        statuses.Should().OnlyContain(status => status == 200, "every request rejected with the revoked key is sent once more with the new one");
        (store.SecretReads - readsBefore).Should().BeInRange(1, 2, "concurrent 401s share one read of the store");
        var sends = openAI.Requests.Skip(requestsBefore).GroupBy(r => r.Tag).ToList();
        sends.Should().HaveCount(Requests).And.OnlyContain(g => g.Count() <= 2 && g.Last().Key == replacement.Value, "a request is sent at most twice, the last time with the new key");
        sends.Count(g => g.First().Key == revoked).Should().BeGreaterThanOrEqualTo(InFlight, "every request held in flight was rejected with the revoked key");
        (await world.GetKeyAsync()).Value.Should().Be(replacement.Value);
        world.Witness.ShouldNotHaveLeaked();
    }

    private static async Task<int> SendAsync(ChatClient chat, SemaphoreSlim gate, int i)
    {
        await gate.WaitAsync();
        try
        {
            return (await chat.CompleteChatAsync([new UserChatMessage($"storm-{i}")])).GetRawResponse().Status;
        }
        catch (ClientResultException ex)
        {
            return ex.Status;
        }
        finally
        {
            gate.Release();
        }
    }
}
