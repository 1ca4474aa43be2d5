using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tests.Provider;

public class OpenAIKeyProviderTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task GetKeyAsync_ColdProvider_LoadsKeyWithMetadata()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, version: "v1");

        var key = await h.Provider.GetKeyAsync();

        key.Value.Should().Be(KeyA);
        key.Version.Should().Be("v1");
        key.Source.Should().Be("Memory:source1");
        key.RetrievedAt.Should().Be(h.Time.GetUtcNow());
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1 && r.Message.Contains("sk-proj-…AAAA"));
        h.Logs.ShouldNotContainSecrets(KeyA);
    }

    [Fact]
    public async Task GetKeyAsync_1000ConcurrentCallersOnColdProvider_FetchesOnce()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        h.Source.Block();

        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () => await h.Provider.GetKeyAsync())).ToArray();
        await Task.Delay(50); // let the callers pile up on the blocked read (wall clock only to let threads run)
        h.Source.Release();
        var keys = await Task.WhenAll(callers);

        h.Source.FetchCount.Should().Be(1);
        keys.Should().AllSatisfy(k => k.Value.Should().Be(KeyA));
    }

    [Fact]
    public async Task GetKeyAsync_WarmProvider_ReturnsSameInstanceWithoutFetching()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var first = await h.Provider.GetKeyAsync();

        var second = await h.Provider.GetKeyAsync();

        second.Should().BeSameAs(first);
        h.Source.FetchCount.Should().Be(1);
    }

    [Fact]
    public async Task GetKeyAsync_FirstSourceHasNoKey_FallsThroughToNext()
    {
        await using var h = new ProviderHarness(sourceCount: 2);
        h.Sources[0].SetNotFound("not set");
        h.Sources[1].SetValue(KeyB);

        var key = await h.Provider.GetKeyAsync();

        key.Value.Should().Be(KeyB);
        key.Source.Should().Be("Memory:source2");
    }

    [Fact]
    public async Task GetKeyAsync_FirstSourceFails_DoesNotFallThroughAndNamesEverySource()
    {
        await using var h = new ProviderHarness(sourceCount: 3);
        h.Sources[0].SetNotFound("the variable is not set");
        h.Sources[1].SetFailure(message: "the vault is unreachable");
        h.Sources[2].SetValue(KeyB);

        var act = async () => await h.Provider.GetKeyAsync();

        var error = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        error.Message.Should().Contain("Memory:source1: not found (the variable is not set)")
            .And.Contain("Memory:source2: failed (the vault is unreachable)")
            .And.Contain("Memory:source3: not tried");
        error.InnerException.Should().BeOfType<OpenAIKeySourceException>();
        h.Sources[2].FetchCount.Should().Be(0, "an outage must never silently switch to another key");
        error.ShouldNotContainSecrets(KeyB);
    }

    [Fact]
    public async Task GetKeyAsync_NoSourceHasKey_ThrowsListingEverySourceAndReason()
    {
        await using var h = new ProviderHarness(sourceCount: 2);
        h.Sources[0].SetNotFound("reason one");
        h.Sources[1].SetNotFound("reason two");

        var act = async () => await h.Provider.GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>())
            .WithMessage("*Memory:source1: not found (reason one)*Memory:source2: not found (reason two)*");
    }

    [Fact]
    public async Task GetKeyAsync_ColdFailureWithinMinimumInterval_DoesNotHammerTheStore()
    {
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.FromSeconds(5));
        h.Source.SetFailure();

        for (var i = 0; i < 20; i++)
        {
            var act = async () => await h.Provider.GetKeyAsync();
            await act.Should().ThrowAsync<OpenAIKeyUnavailableException>();
        }

        h.Source.FetchCount.Should().Be(1);
    }

    [Fact]
    public async Task Timer_AfterRefreshInterval_ServesRotatedKeyAndFiresChangeTokenOnce()
    {
        await using var h = new ProviderHarness(o => o.RefreshInterval = TimeSpan.FromMinutes(5));
        h.Source.SetValue(KeyA, "v1");
        await h.Provider.GetKeyAsync();
        var fired = 0;
        h.Provider.GetChangeToken().RegisterChangeCallback(_ => Interlocked.Increment(ref fired), null);
        h.Source.SetValue(KeyB, "v2");

        await h.AdvanceAsync(TimeSpan.FromMinutes(4)); // inside the jittered window (4.5–5.5 min): nothing yet
        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyA);
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
        fired.Should().Be(1);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 2 && r.Message.Contains("sk-proj-…AAAA -> sk-proj-…BBBB"));
        h.Logs.ShouldNotContainSecrets(KeyA, KeyB);
    }

    [Fact]
    public async Task Timer_SameKeyReRead_DoesNotFireChangeToken()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, "v1");
        var first = await h.Provider.GetKeyAsync();
        var token = h.Provider.GetChangeToken();

        await h.AdvanceAsync(TimeSpan.FromMinutes(6));

        h.Source.FetchCount.Should().Be(2);
        token.HasChanged.Should().BeFalse();
        (await h.Provider.GetKeyAsync()).Should().BeSameAs(first);
    }

    [Fact]
    public async Task Timer_NewVersionOfSameValue_FiresChangeToken()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, "v1");
        await h.Provider.GetKeyAsync();
        var token = h.Provider.GetChangeToken();
        h.Source.SetValue(KeyA, "v2");

        await h.AdvanceAsync(TimeSpan.FromMinutes(6));

        token.HasChanged.Should().BeTrue();
        (await h.Provider.GetKeyAsync()).Version.Should().Be("v2");
    }

    [Fact]
    public async Task RefreshAsync_StormOfConcurrentCalls_CausesOneFetch()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10)); // past the minimum interval
        h.Source.SetValue(KeyB);
        h.Source.Block();

        var storm = Enumerable.Range(0, 500).Select(_ => Task.Run(async () => await h.Provider.RefreshAsync())).ToArray();
        await Task.Delay(50);
        h.Source.Release();
        var keys = await Task.WhenAll(storm);

        h.Source.FetchCount.Should().Be(2, "one initial load and one shared forced read");
        keys.Should().AllSatisfy(k => k.Value.Should().Be(KeyB));
    }

    [Fact]
    public async Task RefreshAsync_WithinMinimumIntervalOfLastForcedRead_ReturnsLatestWithoutFetching()
    {
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.FromSeconds(5));
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        h.Source.SetValue(KeyB);

        var forced = await h.Provider.RefreshAsync(); // a background load is not a forced read: this one reads
        h.Source.SetValue(TestKeys.Project('C'));
        var inside = await h.Provider.RefreshAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        var after = await h.Provider.RefreshAsync();

        forced.Value.Should().Be(KeyB);
        inside.Value.Should().Be(KeyB);
        after.Value.Should().Be(TestKeys.Project('C'));
        h.Source.FetchCount.Should().Be(3);
    }

    [Fact]
    public async Task RefreshAsync_StoreFails_ReturnsLastKnownGoodAndLogsWarning()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetFailure(message: "503 from the store");

        var key = await h.Provider.RefreshAsync();

        key.Value.Should().Be(KeyA);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3 && r.Level == LogLevel.Warning && r.Message.Contains("503 from the store"));
        h.Provider.GetStatus().ConsecutiveFailures.Should().Be(1);
    }

    [Fact]
    public async Task Timer_AfterFailures_BacksOffExponentiallyUpToRefreshInterval()
    {
        await using var h = new ProviderHarness(o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(1);
            o.InitialRetryDelay = TimeSpan.FromSeconds(10);
        });
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        h.Source.SetFailure();

        await h.AdvanceAsync(TimeSpan.FromSeconds(66)); // the periodic read fails (count 2)
        h.Source.FetchCount.Should().Be(2);
        await h.AdvanceAsync(TimeSpan.FromSeconds(7)); // first retry is 10 s ± 20%: not yet
        h.Source.FetchCount.Should().Be(2);
        await h.AdvanceAsync(TimeSpan.FromSeconds(6)); // 13 s: done
        h.Source.FetchCount.Should().Be(3);
        await h.AdvanceAsync(TimeSpan.FromSeconds(15)); // second retry is 20 s ± 20%: not yet
        h.Source.FetchCount.Should().Be(3);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.FetchCount.Should().Be(4);

        // Many failures later the delay is capped at the refresh interval (1 min).
        for (var i = 0; i < 10; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(61));
        }

        h.Source.FetchCount.Should().Be(14);
        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyA, "the last known good key is served throughout");
    }

    [Fact]
    public async Task Timer_StoreAsksToRetryAfter_WaitsThatLong()
    {
        await using var h = new ProviderHarness(o => o.InitialRetryDelay = TimeSpan.FromSeconds(1));
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetFailure(retryAfter: TimeSpan.FromSeconds(30));
        await h.Provider.RefreshAsync();

        await h.AdvanceAsync(TimeSpan.FromSeconds(29));
        h.Source.FetchCount.Should().Be(2);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        h.Source.FetchCount.Should().Be(3);
    }

    [Fact]
    public async Task Timer_StoreRecovers_ResetsFailuresAndServesNewKey()
    {
        await using var h = new ProviderHarness(o => o.InitialRetryDelay = TimeSpan.FromSeconds(1));
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetFailure();
        await h.Provider.RefreshAsync();
        h.Source.SetValue(KeyB);

        await h.AdvanceAsync(TimeSpan.FromSeconds(2));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
        h.Provider.GetStatus().ConsecutiveFailures.Should().Be(0);
    }

    [Fact]
    public async Task Timer_KeyWithExpiry_RefreshesAtEightyPercentOfRemainingLifetime()
    {
        await using var h = new ProviderHarness(o => o.RefreshInterval = TimeSpan.FromHours(1));
        h.Source.SetValue(KeyA, expiresAt: h.Time.GetUtcNow().AddMinutes(10));
        await h.Provider.GetKeyAsync();

        await h.AdvanceAsync(TimeSpan.FromMinutes(7.9));
        h.Source.FetchCount.Should().Be(1);
        await h.AdvanceAsync(TimeSpan.FromMinutes(0.2));
        h.Source.FetchCount.Should().Be(2);
    }

    [Fact]
    public async Task Timer_SourceHangs_TimesOutAsTransientFailure()
    {
        await using var h = new ProviderHarness(o => o.SourceTimeout = TimeSpan.FromSeconds(30));
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.Block();

        var refresh = h.Provider.RefreshAsync().AsTask();
        await Until(() => h.Source.FetchCount == 2); // the read (and its timeout timer) has started
        h.Time.Advance(TimeSpan.FromSeconds(31));
        var key = await refresh.WaitAsync(TimeSpan.FromSeconds(10));

        key.Value.Should().Be(KeyA);
        h.Provider.GetStatus().LastError.Should().Contain("did not answer within 00:00:30 (SourceTimeout)");
    }

    [Fact]
    public async Task Dispose_StopsTimer_NothingRunsAfterwards()
    {
        var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();

        await h.Provider.DisposeAsync();
        h.Time.Advance(TimeSpan.FromHours(2));

        h.Source.FetchCount.Should().Be(1);
        h.Provider.GetStatus().NextRefreshAt.Should().BeNull();
        await h.DisposeAsync(); // disposing twice (container) is harmless
    }

    [Fact]
    public async Task Dispose_WhileReadInFlight_CompletesWaitersWithoutHanging()
    {
        var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        h.Source.Block();
        var waiting = h.Provider.GetKeyAsync().AsTask();
        await Task.Delay(20);

        await h.Provider.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var act = async () => await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await act.Should().ThrowAsync<ObjectDisposedException>();
        var after = async () => await h.Provider.RefreshAsync();
        await after.Should().ThrowAsync<ObjectDisposedException>();
        await h.DisposeAsync();
    }

    [Fact]
    public async Task GetChangeToken_CallbackThrows_IsLoggedAndKeyStillServed()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        h.Provider.GetChangeToken().RegisterChangeCallback(_ => throw new InvalidOperationException("boom"), null);
        h.Source.SetValue(KeyB);

        await h.AdvanceAsync(TimeSpan.FromMinutes(6));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 11);
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
