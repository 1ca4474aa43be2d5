using System.ClientModel;
using System.ClientModel.Primitives;
using KeyVaulting.Reliability.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace KeyVaulting.Reliability.Tests.Load;

/// <summary>
/// A revocation under load, through the official OpenAI client wired by <c>AddOpenAIClient</c> over HashiCorp Vault:
/// 10,000 chat completions are in flight at once, all sent with the old key, when the key is rotated in Vault and
/// revoked at OpenAI. Every request is rejected once and sent again with the new key; none fails, and Vault is read
/// exactly once.
/// </summary>
/// <remarks>
/// <para>
/// "In flight" means 10,000 <c>CompleteChatAsync</c> calls started together and outstanding at the transport: each
/// has passed KeyVaulting's policies (so carries the old key) and is either on one of the
/// <see cref="MaxConnections"/> connections, held by the server, or queued in the <see cref="SocketsHttpHandler"/>
/// for one. The application bounds its sockets with <c>OpenAIClientSettings.Transport</c>; the SDK's default
/// transport would open a connection per request, 20,000 file descriptors for both ends.
/// </para>
/// <para>
/// The bound, one read of Vault: the first 401 finds the provider still on the rejected key and forces a refresh;
/// every 401 that arrives while that read runs joins it (the refresh is single-flight); every later 401 finds the
/// provider already on a different key and resends with it without reading (and one that saw the old key just before
/// the read ended asks for a refresh within <c>MinimumRefreshInterval</c> of it and gets its result without reading).
/// The fake clock does not move, so no scheduled refresh runs either.
/// </para>
/// </remarks>
public sealed class RevocationStormTests
{
    private const int Requests = 10_000;
    private const int MaxConnections = 64;

    [Fact]
    public async Task CompleteChat_10000InFlightWhenTheKeyIsRevoked_OneStoreReadAndNoFailure()
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await HashiCorpVaultStore.StartAsync();
        var revoked = store.Key.Value;
        await using var openAI = await LocalOpenAIServer.StartAsync(revoked);
        using var transport = new ConnectionLimitedHandler(MaxConnections);
        using var http = new HttpClient(transport, disposeHandler: false);
        await using var world = StoreWorld.Create(store, services: services =>
        {
            services.AddOpenAIClient(settings =>
            {
                settings.Endpoint = openAI.Endpoint;
                settings.Transport = new HttpClientPipelineTransport(http);
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
        var storm = Enumerable.Range(0, Requests).Select(i => SendAsync(chat, i)).ToList();
        await Eventually.TrueAsync(
            () => transport.Outstanding == Requests && openAI.InFlight == MaxConnections,
            $"{Requests} requests should be outstanding at the transport, {MaxConnections} of them held by the server");
        storm.Should().NotContain(t => t.IsCompleted, "no request may complete before the revocation");
        var replacement = store.Rotate();
        openAI.AcceptKey(replacement.Value);
        openAI.RevokeKey(revoked);
        openAI.ReleaseResponses();
        var statuses = await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(150)); // minutes only on a badly loaded machine

        statuses.Should().OnlyContain(status => status == 200, "every request rejected with the revoked key is sent once more with the new one");
        (store.SecretReads - readsBefore).Should().Be(1, "concurrent 401s share one read, and later ones find the new key already loaded");
        var sends = openAI.Requests.Skip(requestsBefore).GroupBy(r => r.Tag).ToList();
        sends.Should().HaveCount(Requests).And.OnlyContain(
            g => g.Count() == 2 && g.First().Key == revoked && g.Last().Key == replacement.Value,
            "every request in flight was sent with the revoked key, then once with the new one");
        transport.PeakOutstanding.Should().Be(Requests, "all requests were in flight together");
        transport.Connections.Should().BeLessThanOrEqualTo(MaxConnections, "the application's transport bounds the sockets");
        openAI.PeakInFlight.Should().BeLessThanOrEqualTo(MaxConnections);
        (await world.GetKeyAsync()).Value.Should().Be(replacement.Value);
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    private static async Task<int> SendAsync(ChatClient chat, int i)
    {
        try
        {
            return (await chat.CompleteChatAsync([new UserChatMessage($"storm-{i}")])).GetRawResponse().Status;
        }
        catch (ClientResultException ex)
        {
            return ex.Status;
        }
    }
}
