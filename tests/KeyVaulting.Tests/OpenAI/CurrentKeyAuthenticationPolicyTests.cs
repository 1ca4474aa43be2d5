using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>The OpenAI client sends the provider's current key on every request, through rotations.</summary>
public class CurrentKeyAuthenticationPolicyTests
{
    private const int Callers = 8;
    private const int TotalRequests = 1_000;

    [Fact]
    public async Task CompleteChat_KeyRotatedWhileEightCallersSend1000Requests_NoFailureAndNewKeyAfterRefresh()
    {
        await using var context = await OpenAITestContext.StartAsync();
        context.Server.AcceptKey(OpenAITestContext.Key2); // the old key stays valid during the rotation
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");

        var refreshed = 0;
        var failures = new ConcurrentQueue<Exception>();
        var next = 0;

        async Task CallerAsync(int caller)
        {
            while (Interlocked.Increment(ref next) <= TotalRequests)
            {
                // The phase is read before the request starts: "after" requests began once RefreshAsync had returned.
                var phase = Volatile.Read(ref refreshed) == 1 ? "after" : "before";
                try
                {
                    var completion = await OpenAITestContext.ChatAsync(chat, $"{phase}:{caller}:{Guid.NewGuid():N}");
                    completion.Value.Content[0].Text.Should().NotBeEmpty();
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            }
        }

        async Task RotateAsync()
        {
            await context.Server.WaitForRequestsAsync(1 + (TotalRequests / 3));
            context.Source.SetValue(OpenAITestContext.Key2);
            context.PassMinimumRefreshInterval();
            var key = await context.Provider.RefreshAsync();
            key.Value.Should().Be(OpenAITestContext.Key2);
            Volatile.Write(ref refreshed, 1);
        }

        await Task.WhenAll([.. Enumerable.Range(0, Callers).Select(CallerAsync), RotateAsync()]);

        failures.Should().BeEmpty();
        var requests = context.Server.Requests.Where(r => r.Tag != "warm-up").ToList();
        requests.Should().HaveCount(TotalRequests);
        requests.Where(r => r.Tag!.StartsWith("after:", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Key == OpenAITestContext.Key2, "every request started after the refresh carries the new key");
        requests.Should().Contain(r => r.Key == OpenAITestContext.Key1, "the rotation happened while requests were being sent");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_OrganizationAndProjectSet_SendsBearerKeyAndBothHeaders()
    {
        await using var context = await OpenAITestContext.StartAsync(settings =>
        {
            settings.OrganizationId = "org-keyvaulting";
            settings.ProjectId = "proj_keyvaulting";
        });

        var completion = await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "hello");

        completion.Value.Content[0].Text.Should().Be("Hello! How can I assist you today?");
        var request = context.Server.Requests.Should().ContainSingle().Subject;
        request.Key.Should().Be(OpenAITestContext.Key1);
        request.Organization.Should().Be("org-keyvaulting");
        request.Project.Should().Be("proj_keyvaulting");
    }

    [Fact]
    public async Task CompleteChat_SynchronousCallAfterRotation_SendsNewKey()
    {
        await using var context = await OpenAITestContext.StartAsync();
        context.Server.AcceptKey(OpenAITestContext.Key2);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        chat.CompleteChat([new UserChatMessage("first")]);

        context.Source.SetValue(OpenAITestContext.Key2);
        context.PassMinimumRefreshInterval();
        await context.Provider.RefreshAsync();
        chat.CompleteChat([new UserChatMessage("second")]);

        context.Server.Requests.Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
    }

    [Fact]
    public async Task CompleteChat_KeyRotatedInBackground_SameClientSendsNewKeyWithoutRecreation()
    {
        await using var context = await OpenAITestContext.StartAsync();
        context.Server.AcceptKey(OpenAITestContext.Key2);
        var client = context.Client;
        await OpenAITestContext.ChatAsync(client.GetChatClient("gpt-4o-mini"), "before");

        // The provider's periodic refresh (every 5 minutes, with jitter) picks up the rotated key.
        context.Source.SetValue(OpenAITestContext.Key2);
        var rotated = new TaskCompletionSource();
        using var registration = context.Provider.GetChangeToken().RegisterChangeCallback(_ => rotated.TrySetResult(), null);
        context.Time.Advance(TimeSpan.FromMinutes(6));
        await rotated.Task.WaitAsync(TimeSpan.FromSeconds(10));

        context.Services.GetRequiredService<OpenAI.OpenAIClient>().Should().BeSameAs(client);
        await OpenAITestContext.ChatAsync(client.GetChatClient("gpt-4o-mini"), "after");
        context.Server.Requests.Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
    }
}
