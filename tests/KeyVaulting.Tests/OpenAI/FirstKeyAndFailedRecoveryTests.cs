using System.ClientModel;
using KeyVaulting.Provider;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// The first request of an application: it waits for the first key without blocking its caller's thread, and gets the
/// provider's own exception when no key can be loaded. A 401 whose recovery cannot read the key returns the 401.
/// </summary>
public class FirstKeyAndFailedRecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CompleteChatAsync_FirstKeyStillLoading_ReturnsATaskAtOnceAndSendsOnceTheKeyIsLoaded()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        context.Source.Block();

        // Started on a thread of its own: an implementation that blocked until the key is loaded would never return here.
        var started = new TaskCompletionSource<Task<ClientResult<ChatCompletion>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(() => started.SetResult(OpenAITestContext.ChatAsync(chat, "cold")));
        var call = await started.Task.WaitAsync(Bound);

        call.IsCompleted.Should().BeFalse("the store has not answered yet");
        context.Server.RequestCount.Should().Be(0);
        context.Source.Release();
        (await call.WaitAsync(Bound)).GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Should().ContainSingle(r => r.Tag == "cold").Which.Key.Should().Be(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task CompleteChatAsync_NoKeyCanBeLoaded_ThrowsTheProvidersExceptionAndSendsNothing()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Source.SetFailure(message: "the vault is unreachable");

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "no-key");

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which.Message.Should().Contain("the vault is unreachable");
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task CompleteChat_SynchronousCallWhenNoKeyCanBeLoaded_ThrowsTheProvidersExceptionNotAnAggregate()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Source.SetFailure(message: "the vault is unreachable");
        var chat = context.Client.GetChatClient("gpt-4o-mini");

        var act = () => chat.CompleteChat([new UserChatMessage("no-key")]);

        act.Should().Throw<OpenAIKeyUnavailableException>().Which.Message.Should().Contain("the vault is unreachable");
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task CompleteChat_SynchronousFirstCall_WaitsForTheFirstKey()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        context.Source.Block();

        var call = Task.Run(() => chat.CompleteChat([new UserChatMessage("cold-sync")]));
        await Until(() => context.Source.FetchCount == 1);
        context.Source.Release();

        (await call.WaitAsync(Bound)).GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task CompleteChat_401WhenTheKeyCannotBeReRead_Returns401AndWarnsWithTheErrorType()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.HoldResponses();
        var inFlight = OpenAITestContext.ChatAsync(chat, "in-flight");
        await context.Server.WaitForRequestsAsync(2);

        // The key is revoked, and the provider is disposed (host shutdown) before the 401 arrives.
        context.Server.RevokeKey(OpenAITestContext.Key1);
        await ((OpenAIKeyProvider)context.Provider).DisposeAsync();
        context.Server.ReleaseResponses();

        var thrown = (await FluentActions.Awaiting(() => inFlight.WaitAsync(Bound)).Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        context.Server.Requests.Where(r => r.Tag == "in-flight").Should().ContainSingle("a key that cannot be re-read is not sent again");
        var warning = context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 403).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("sk-proj-…0001").And.Contain(nameof(ObjectDisposedException));
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    /// <summary>Waits (bounded) for a condition another thread makes true; never for time to pass.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Environment.TickCount64.Should().BeLessThan(deadline, "the condition should become true");
            await Task.Yield();
        }
    }
}
