using System.ClientModel;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>After a 401 the OpenAI client re-reads the key and sends the request once more, never in a loop.</summary>
public class KeyRejectionRecoveryTests
{
    private const int InFlight = 8;

    [Fact]
    public async Task CompleteChat_OldKeyRevokedWhileRequestsInFlight_EachRetriedOnceAfterOneRefresh()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");

        context.Server.HoldResponses();
        var inFlight = Enumerable.Range(0, InFlight).Select(i => OpenAITestContext.ChatAsync(chat, $"in-flight-{i}")).ToList();
        await context.Server.WaitForRequestsAsync(1 + InFlight);

        // The key is rotated in the store and the old one revoked before OpenAI answers any of them.
        var fetchesBefore = context.Source.FetchCount;
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();
        context.Server.ReleaseResponses();

        var completions = await Task.WhenAll(inFlight);

        completions.Should().OnlyContain(c => c.GetRawResponse().Status == 200);
        context.Source.FetchCount.Should().Be(fetchesBefore + 1, "concurrent 401s share one refresh");
        foreach (var group in context.Server.Requests.Where(r => r.Tag!.StartsWith("in-flight-", StringComparison.Ordinal)).GroupBy(r => r.Tag))
        {
            group.Select(r => r.Key).Should().Equal([OpenAITestContext.Key1, OpenAITestContext.Key2], "{0} is retried at most once, with the new key", group.Key);
        }

        var before = context.Server.RequestCount;
        for (var i = 0; i < 20; i++)
        {
            await OpenAITestContext.ChatAsync(chat, $"later-{i}");
        }

        context.Server.Requests.Skip(before).Should().HaveCount(20).And.OnlyContain(r => r.Key == OpenAITestContext.Key2);
        context.Source.FetchCount.Should().Be(fetchesBefore + 1);
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 400, "the first resend is logged, the others counted")
            .Which.Message.Should().Contain("sk-proj-…0001").And.Contain("sk-proj-…0002");
        context.Time.Advance(TimeSpan.FromSeconds(30));
        context.Time.Advance(TimeSpan.FromSeconds(30));
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 414).Which.Message.Should().Contain($"{InFlight - 1} more 401 answers (invalid_api_key) resent with a newer key");
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 415).Which.Message.Should().Contain($"{InFlight} in all");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_RejectedKeyStillInStore_Returns401WithoutLoopAndWarns()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();
        var fetchesBefore = context.Source.FetchCount;

        var act = () => OpenAITestContext.ChatAsync(chat, "rejected");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        context.Server.Requests.Where(r => r.Tag == "rejected").Should().ContainSingle("an unchanged key is not sent again");
        context.Source.FetchCount.Should().Be(fetchesBefore + 1, "the store is re-read once to look for a new key");
        var warning = context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 401).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("sk-proj-…0001").And.Contain("Memory:openai-test").And.Contain("invalid_api_key")
            .And.Contain("revoked").And.Contain("archived").And.Contain("organization or project");

        // A second call is not looped either, and the rate limit of forced refreshes spares the store.
        await act.Should().ThrowAsync<ClientResultException>();
        context.Server.Requests.Where(r => r.Tag == "rejected").Should().HaveCount(2);
        context.Source.FetchCount.Should().Be(fetchesBefore + 1);
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task CompleteChat_RefreshedKeyAlsoRejected_SendsOnlyOnceMore()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.Source.SetValue(OpenAITestContext.Key2); // a new key that OpenAI does not know either
        context.PassMinimumRefreshInterval();

        var act = () => OpenAITestContext.ChatAsync(chat, "both-rejected");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        context.Server.Requests.Where(r => r.Tag == "both-rejected").Select(r => r.Key)
            .Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 402)
            .Which.Message.Should().Contain("sk-proj-…0002");
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task CompleteChat_ProviderRotatedBeforeThe401Arrived_ResendsWithoutReadingTheStore()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");

        context.Server.HoldResponses();
        var pending = OpenAITestContext.ChatAsync(chat, "crossed");
        await context.Server.WaitForRequestsAsync(2);
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();
        await context.Provider.RefreshAsync();
        var fetchesAfterRotation = context.Source.FetchCount;
        context.Server.ReleaseResponses();

        var completion = await pending;

        completion.GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Where(r => r.Tag == "crossed").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.Source.FetchCount.Should().Be(fetchesAfterRotation, "the provider already held a newer key");
    }

    [Fact]
    public async Task CompleteChat_OldKeyRevokedAndNoRetriesAllowed_StillResendsOnceWithoutWaiting()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();

        // The fake clock does not move from here on: a resend that waited for a backoff would never be sent.
        var completion = await OpenAITestContext.ChatAsync(chat, "no-retries").WaitAsync(TimeSpan.FromSeconds(30));

        completion.GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Where(r => r.Tag == "no-retries").Select(r => r.Key)
            .Should().Equal([OpenAITestContext.Key1, OpenAITestContext.Key2], "MaxRetries limits retries of failures, not the one resend with a newer key");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChatStreaming_OldKeyRevoked_StreamsWithRefreshedKey()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();

        var text = string.Empty;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("streamed")]))
        {
            text += string.Concat(update.ContentUpdate.Select(part => part.Text));
        }

        text.Should().Be("Hello! How can I assist you today?");
        context.Server.Requests.Where(r => r.Tag == "streamed").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_SynchronousCallAfterRevocation_RecoversWithRefreshedKey()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        chat.CompleteChat([new UserChatMessage("warm-up")]);
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();

        var completion = chat.CompleteChat([new UserChatMessage("sync")]);

        completion.GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Where(r => r.Tag == "sync").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
    }

    [Fact]
    public async Task GenerateEmbeddings_OldKeyRevoked_RecoversWithRefreshedKey()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var embeddings = context.Client.GetEmbeddingClient("text-embedding-3-small");
        await embeddings.GenerateEmbeddingAsync("warm-up");
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();

        var embedding = await embeddings.GenerateEmbeddingAsync("four");

        embedding.Value.ToFloats().ToArray().Should().Equal(4f, 0.5f, -0.25f);
        context.Server.Requests.Where(r => r.Tag == "four").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
    }
}
