using System.ClientModel;
using System.ClientModel.Primitives;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>Retries: an exhausted quota is not retried, a rate limit is, and a server's retry hint is followed.</summary>
public class OpenAIRetryPolicyTests
{
    [Fact]
    public async Task CompleteChat_InsufficientQuota_NotRetriedAndLogsAddCredits()
    {
        // System clock: if the 429 were retried, the retry would happen (after 0.8 s) and get a 200.
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 3, fakeTime: false);
        context.Server.EnqueueError(429, "429-insufficient_quota.json");

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "no-credits");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(429);
        OpenAIErrors.GetQuotaKind(thrown).Should().Be(OpenAIQuotaKind.InsufficientQuota);
        context.Server.Requests.Should().ContainSingle(r => r.Tag == "no-credits");
        var log = context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 404).Subject;
        log.Level.Should().Be(LogLevel.Error);
        log.Message.Should().Contain("insufficient_quota").And.Contain("Add credits").And.Contain("sk-proj-…0001");
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task CompleteChat_RateLimitedTwice_RetriedAndSucceeds()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 2, fakeTime: false);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "1"));
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "1"));

        var completion = await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "busy");

        completion.GetRawResponse().Status.Should().Be(200);
        context.Server.Requests.Where(r => r.Tag == "busy").Should().HaveCount(3);
        context.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 405, "the caller got a success");
    }

    [Fact]
    public async Task CompleteChat_RateLimitedOnce_TheSdksRetryLogReachesTheApplicationsLoggers()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 1, fakeTime: false);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "1"));

        var completion = await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "retried");

        completion.GetRawResponse().Status.Should().Be(200);
        var logs = context.Logs.GetSnapshot();
        logs.Should().ContainSingle(r => r.Id.Name == "RequestRetrying", "the SDK logs each retry, to the application's logger factory")
            .Which.Message.Should().Contain("attempt number 1");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_RateLimitPersists_FailsAfterMaxRetriesAndLogsSlowDown()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 2, fakeTime: false);
        for (var i = 0; i < 3; i++)
        {
            context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "1"));
        }

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "too-busy");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        OpenAIErrors.GetQuotaKind(thrown).Should().Be(OpenAIQuotaKind.RateLimitExceeded);
        context.Server.Requests.Where(r => r.Tag == "too-busy").Should().HaveCount(3, "one try and MaxRetries = 2 retries");
        var log = context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 405).Subject;
        log.Level.Should().Be(LogLevel.Warning);
        log.Message.Should().Contain("rate_limit_exceeded").And.Contain("Slow down");
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task CompleteChat_RetryAfterMsShorterThanBackoff_WaitsTheHintOnTheTimeProvider()
    {
        var time = new RecordingTimeProvider();
        await using var context = await OpenAITestContext.StartAsync(
            settings => settings.MaxRetries = 1,
            (services, _) => services.AddSingleton<TimeProvider>(time),
            fakeTime: false);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "250"));

        var completion = await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "hinted");

        completion.GetRawResponse().Status.Should().Be(200);
        time.TimerDueTimes.Should().Contain(TimeSpan.FromMilliseconds(250), "the SDK's own backoff would have waited 0.8 s");
    }

    [Theory]
    [InlineData("retry-after-ms", "1500", 1_500)]
    [InlineData("x-ms-retry-after-ms", "40", 40)]
    [InlineData("Retry-After", "2", 2_000)]
    [InlineData("Retry-After", "Thu, 01 Jan 2026 00:00:30 GMT", 30_000)]
    public async Task TryGetRetryAfter_HeaderForms_ReadsTheDelay(string header, string value, int expectedMilliseconds)
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", (header, value));
        var response = await SendProtocolChatAsync(context);

        OpenAIRetryPolicy.TryGetRetryAfter(response, context.Time, out var delay).Should().BeTrue();

        delay.Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Fact]
    public async Task TryGetRetryAfter_NoHeader_ReturnsFalse()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json");
        var response = await SendProtocolChatAsync(context);

        OpenAIRetryPolicy.TryGetRetryAfter(response, context.Time, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("retry-after-ms", "-5")]
    [InlineData("retry-after-ms", "1e300")]
    [InlineData("x-ms-retry-after-ms", "soon")]
    [InlineData("Retry-After", "1e300")]
    [InlineData("Retry-After", "soon")]
    public async Task TryGetRetryAfter_NegativeHugeOrUnreadableHint_IsIgnored(string header, string value)
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", (header, value));
        var response = await SendProtocolChatAsync(context);

        OpenAIRetryPolicy.TryGetRetryAfter(response, context.Time, out var delay).Should().BeFalse();

        delay.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("retry-after-ms")]
    [InlineData("x-ms-retry-after-ms")]
    [InlineData("Retry-After")]
    public async Task TryGetRetryAfter_HintOfTimeSpanMaxValue_IsIgnoredWithoutThrowing(string header)
    {
        // The largest value a TimeSpan can hold, in the header's unit: too large to wait for, and not an overflow.
        var largest = header == "Retry-After" ? TimeSpan.MaxValue.TotalSeconds : TimeSpan.MaxValue.TotalMilliseconds;
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", (header, largest.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var response = await SendProtocolChatAsync(context);
        var delay = TimeSpan.FromSeconds(1);

        var act = () => OpenAIRetryPolicy.TryGetRetryAfter(response, context.Time, out delay);

        act.Should().NotThrow().Which.Should().BeFalse();
        delay.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("retry-after-ms", "0", 0)]
    [InlineData("Retry-After", "0", 0)]
    [InlineData("retry-after-ms", "0.5", 0.5)]
    [InlineData("Retry-After", "60", 60_000)]
    public async Task TryGetRetryAfter_ZeroFractionAndAMinute_ReadExactly(string header, string value, double expectedMilliseconds)
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", (header, value));
        var response = await SendProtocolChatAsync(context);

        OpenAIRetryPolicy.TryGetRetryAfter(response, context.Time, out var delay).Should().BeTrue();

        delay.Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Theory]
    [InlineData("retry-after-ms", "0", 800)] // "now" is not followed: the SDK's backoff (0.8 s) spares a busy server
    [InlineData("Retry-After", "0", 800)]
    [InlineData("retry-after-ms", "100", 100)]
    [InlineData("Retry-After", "60", 60_000)] // a minute exactly is followed
    public async Task CompleteChat_RateLimitedWithAHint_WaitsOnTheTimeProvider(string header, string value, int expectedMilliseconds)
    {
        var time = new TimerRecordingTimeProvider();
        await using var context = await OpenAITestContext.StartAsync(
            settings => settings.MaxRetries = 1,
            (services, _) => services.AddSingleton<TimeProvider>(time));
        await context.Provider.GetKeyAsync(); // the provider's own timers are created before the count starts
        time.ClearTimers();
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", (header, value));

        var call = OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "hinted");
        await Until(() => time.TimerDueTimes.Count > 0 || call.IsCompleted);

        context.Server.RequestCount.Should().Be(1, "the retry waits for its delay");
        time.TimerDueTimes.Should().Equal(TimeSpan.FromMilliseconds(expectedMilliseconds));
        time.Advance(TimeSpan.FromMilliseconds(expectedMilliseconds));
        (await call.WaitAsync(TimeSpan.FromSeconds(10))).GetRawResponse().Status.Should().Be(200);
        context.Server.RequestCount.Should().Be(2);
    }

    [Theory]
    [InlineData(429, "Retry-After", "3600")]          // an hour: the SDK's own policy would wait it out
    [InlineData(429, "retry-after-ms", "60001")]      // just over a minute
    [InlineData(503, "Retry-After", "120")]
    [InlineData(500, "retry-after-ms", "90000")]
    public async Task CompleteChat_HintLongerThanAMinute_ReturnsTheAnswerAtOnceWithoutWaiting(int status, string header, string value)
    {
        var time = new TimerRecordingTimeProvider();
        await using var context = await OpenAITestContext.StartAsync(
            settings => settings.MaxRetries = 3,
            (services, _) => services.AddSingleton<TimeProvider>(time));
        await context.Provider.GetKeyAsync(); // the provider's own timers are created before the count starts
        time.ClearTimers();
        context.Server.EnqueueResponse(status, """{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}""", (header, value));

        // Fake time never advances here: a retry would wait forever, so only an answer returned at once completes.
        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "long-hint").WaitAsync(TimeSpan.FromSeconds(30));

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(status);
        context.Server.Requests.Where(r => r.Tag == "long-hint").Should().ContainSingle("the answer asked to wait more than a minute");
        time.TimerDueTimes.Should().NotContain(t => t > TimeSpan.FromMinutes(1), "nothing waits for the hint (the 30-s timer is the log's summary interval)");
        var log = context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 416).Subject;
        log.Level.Should().Be(LogLevel.Warning);
        log.Message.Should().Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("sk-proj-…0001").And.Contain("Send the request again after that time");
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task CompleteChat_LongHintsRepeated_LoggedOnceForTheRun()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 2);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        for (var i = 0; i < 3; i++)
        {
            context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("Retry-After", "600"));
            var act = () => OpenAITestContext.ChatAsync(chat, "again");
            (await act.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(429);
        }

        context.Server.Requests.Where(r => r.Tag == "again").Should().HaveCount(3, "none of the three was retried");
        context.Logs.GetSnapshot().Where(r => r.Id.Id == 416).Should().ContainSingle("repeats of a run are summarized, not logged one by one");
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Environment.TickCount64.Should().BeLessThan(deadline, "the condition should become true");
            await Task.Yield();
        }
    }

    private static async Task<PipelineResponse> SendProtocolChatAsync(OpenAITestContext context)
    {
        var body = BinaryContent.Create(BinaryData.FromString("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"protocol"}]}"""));
        var result = await context.Client.GetChatClient("gpt-4o-mini")
            .CompleteChatAsync(body, new RequestOptions { ErrorOptions = ClientErrorBehaviors.NoThrow });
        var response = result.GetRawResponse();
        response.Status.Should().Be(429);
        return response;
    }
}
