using System.ClientModel;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KeyVaulting.Diagnostics;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// What a 401 leads to is counted on <c>keyvaulting.openai.key_rejections</c> and traced as a span that fails when the
/// 401 reaches the caller; a 429 that reaches the caller is counted on <c>keyvaulting.openai.too_many_requests</c>.
/// </summary>
public sealed class KeyRejectionMetricsTests : IDisposable
{
    private readonly ActivitySource _testSource = new("KeyVaulting.Tests." + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public KeyRejectionMetricsTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == KeyVaultingInstrumentation.ActivitySourceName || s.Name == _testSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task CompleteChat_RejectedKeyStillInStore_CountsKeyUnchangedAndTheSpanFails()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddMetrics());
        using var rejections = new MetricCollector<long>(context.Services.GetRequiredService<IMeterFactory>(), KeyVaultingInstrumentation.MeterName, OpenAIClientMetrics.KeyRejectionsInstrument);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.PassMinimumRefreshInterval();

        var span = await RunTracedAsync(async () =>
            await FluentActions.Awaiting(() => OpenAITestContext.ChatAsync(chat, "rejected")).Should().ThrowAsync<ClientResultException>());

        span.GetTagItem(OpenAIClientMetrics.OutcomeTag).Should().Be(OpenAIClientMetrics.KeyUnchanged);
        span.GetTagItem(OpenAIClientMetrics.ProviderTag).Should().Be("default", "the span names the provider whose key was rejected");
        span.GetTagItem(OpenAIClientMetrics.ErrorTag).Should().Be("invalid_api_key", "and OpenAI's error code, never its message");
        span.Status.Should().Be(ActivityStatusCode.Error);
        rejections.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags[OpenAIClientMetrics.OutcomeTag].Should().Be(OpenAIClientMetrics.KeyUnchanged);
    }

    [Fact]
    public async Task CompleteChat_RejectedKeyReplacedInStore_CountsResentAndTheSpanSucceeds()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddMetrics());
        using var rejections = new MetricCollector<long>(context.Services.GetRequiredService<IMeterFactory>(), KeyVaultingInstrumentation.MeterName, OpenAIClientMetrics.KeyRejectionsInstrument);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Source.SetValue(OpenAITestContext.Key2);
        context.PassMinimumRefreshInterval();

        var span = await RunTracedAsync(() => OpenAITestContext.ChatAsync(chat, "resent"));

        span.GetTagItem(OpenAIClientMetrics.OutcomeTag).Should().Be(OpenAIClientMetrics.Resent);
        span.Status.Should().Be(ActivityStatusCode.Unset);
        rejections.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags[OpenAIClientMetrics.OutcomeTag].Should().Be(OpenAIClientMetrics.Resent);
    }

    [Fact]
    public async Task CompleteChat_RateLimitReachesTheCaller_CountedByKind()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0, (s, _) => s.AddMetrics());
        using var tooMany = new MetricCollector<long>(context.Services.GetRequiredService<IMeterFactory>(), KeyVaultingInstrumentation.MeterName, OpenAIClientMetrics.TooManyRequestsInstrument);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json");

        await FluentActions.Awaiting(() => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "busy"))
            .Should().ThrowAsync<ClientResultException>();

        tooMany.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags[OpenAIClientMetrics.ErrorTag].Should().Be(OpenAIClientMetrics.RateLimitExceeded);
    }

    [Fact]
    public async Task CompleteChat_RefreshedKeyRejectedToo_CountsTheResendThenTheSecondRejection()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddMetrics());
        using var rejections = new MetricCollector<long>(context.Services.GetRequiredService<IMeterFactory>(), KeyVaultingInstrumentation.MeterName, OpenAIClientMetrics.KeyRejectionsInstrument);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.Source.SetValue(OpenAITestContext.Key2); // a new key that OpenAI does not know either
        context.PassMinimumRefreshInterval();

        await FluentActions.Awaiting(() => OpenAITestContext.ChatAsync(chat, "both-rejected")).Should().ThrowAsync<ClientResultException>();

        rejections.GetMeasurementSnapshot().Select(m => m.Tags[OpenAIClientMetrics.OutcomeTag])
            .Should().Equal(OpenAIClientMetrics.Resent, OpenAIClientMetrics.RejectedAgain);
    }

    [Fact]
    public async Task CompleteChat_401WhenTheKeyCannotBeReRead_CountsRefreshFailedAndTheSpanFails()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddMetrics());
        using var rejections = new MetricCollector<long>(context.Services.GetRequiredService<IMeterFactory>(), KeyVaultingInstrumentation.MeterName, OpenAIClientMetrics.KeyRejectionsInstrument);
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.HoldResponses();
        ActivityTraceId trace;
        Task inFlight;
        using (var parent = _testSource.StartActivity("test")!)
        {
            trace = parent.TraceId;
            inFlight = OpenAITestContext.ChatAsync(chat, "in-flight");
        }

        await context.Server.WaitForRequestsAsync(2);

        // The key is revoked, and the provider is disposed (host shutdown) before the 401 arrives.
        context.Server.RevokeKey(OpenAITestContext.Key1);
        await ((KeyVaulting.Provider.OpenAIKeyProvider)context.Provider).DisposeAsync();
        context.Server.ReleaseResponses();
        await FluentActions.Awaiting(() => inFlight.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<ClientResultException>();

        var span = _stopped.Should().ContainSingle(a => a.OperationName == OpenAIClientMetrics.KeyRejectionActivity && a.TraceId == trace).Subject;
        span.GetTagItem(OpenAIClientMetrics.OutcomeTag).Should().Be(OpenAIClientMetrics.RefreshFailed);
        span.Status.Should().Be(ActivityStatusCode.Error, "the 401 reaches the caller");
        rejections.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags[OpenAIClientMetrics.OutcomeTag].Should().Be(OpenAIClientMetrics.RefreshFailed);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _testSource.Dispose();
    }

    /// <summary>Runs <paramref name="action"/> under a span of this test and returns the key-rejection span under it.</summary>
    private async Task<Activity> RunTracedAsync(Func<Task> action)
    {
        ActivityTraceId trace;
        using (var parent = _testSource.StartActivity("test")!)
        {
            trace = parent.TraceId;
            await action();
        }

        return _stopped.Should().ContainSingle(a => a.OperationName == OpenAIClientMetrics.KeyRejectionActivity && a.TraceId == trace).Subject;
    }
}
