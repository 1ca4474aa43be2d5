using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// The background timer: when the next read is due (the value a health check shows), one read at a time when the timer
/// fires mid-read, and a scheduled read that does not count as forced (a 401 right after it still gets a fresh read).
/// </summary>
public class OpenAIKeyProviderTimerTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task NextRefreshAt_AfterALoad_IsRefreshIntervalFromNowWithinTheJitter()
    {
        await using var h = new ProviderHarness(o => o.RefreshInterval = TimeSpan.FromMinutes(10));
        h.Source.SetValue(KeyA);
        var now = h.Time.GetUtcNow();

        await h.Provider.GetKeyAsync();

        h.Provider.GetStatus().NextRefreshAt.Should().BeOnOrAfter(now.AddMinutes(9)).And.BeOnOrBefore(now.AddMinutes(11));
    }

    [Fact]
    public async Task NextRefreshAt_AfterAFailure_IsTheBackoffFromNow()
    {
        await using var h = new ProviderHarness(o => o.InitialRetryDelay = TimeSpan.FromSeconds(10));
        h.Source.SetFailure();
        var now = h.Time.GetUtcNow();

        await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>();

        h.Provider.GetStatus().NextRefreshAt.Should().BeOnOrAfter(now.AddSeconds(8)).And.BeOnOrBefore(now.AddSeconds(12));
    }

    [Fact]
    public async Task NextRefreshAt_StoreAsksToRetryLaterThanMaxStaleness_WaitsMaxStalenessAndReadsThen()
    {
        await using var h = new ProviderHarness(o => o.MaxStaleness = TimeSpan.FromHours(2));
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        h.Source.SetFailure(retryAfter: TimeSpan.FromDays(30));
        await h.AdvanceAsync(TimeSpan.FromMinutes(6)); // the scheduled read fails, asking for 30 days
        var failedAt = h.Time.GetUtcNow();
        h.Provider.GetStatus().ConsecutiveFailures.Should().Be(1);

        h.Provider.GetStatus().NextRefreshAt.Should().BeCloseTo(failedAt.AddHours(2), TimeSpan.FromMinutes(2));
        h.Source.SetValue(KeyB);
        await h.AdvanceAsync(TimeSpan.FromHours(2));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
    }

    [Fact]
    public async Task Timer_FiresWhileAForcedReadIsInFlight_StartsNoSecondRead()
    {
        await using var h = new ProviderHarness(o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(5);
            o.SourceTimeout = TimeSpan.FromMinutes(10); // the read outlasts the two minutes below
        });
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromMinutes(4)); // nothing due yet, and past MinimumRefreshInterval
        h.Source.SetValue(KeyB);
        h.Source.Block();

        var forced = h.Provider.RefreshAsync().AsTask();
        await Until(() => h.Source.FetchCount == 2);
        h.Time.Advance(TimeSpan.FromMinutes(2)); // the timer fires mid-read
        await Task.Yield();
        h.Source.Release();

        (await forced.WaitAsync(TimeSpan.FromSeconds(10))).Value.Should().Be(KeyB);
        await h.Provider.PendingRead.WaitAsync(TimeSpan.FromSeconds(10));
        h.Source.FetchCount.Should().Be(2, "one read at a time: the timer does not start a read while one is in flight");
    }

    [Fact]
    public async Task RefreshAsync_RightAfterAScheduledRead_ReadsTheStoreAgain()
    {
        await using var h = new ProviderHarness(o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(5);
            o.MinimumRefreshInterval = TimeSpan.FromMinutes(1);
        });
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await AdvanceToNextRefreshAsync(h); // the scheduled read finds the same key
        h.Source.FetchCount.Should().Be(2);

        h.Source.SetValue(KeyB); // OpenAI rejects A: the caller forces a read
        var key = await h.Provider.RefreshAsync();

        key.Value.Should().Be(KeyB, "a scheduled read is not a forced read, so it does not rate-limit the next forced one");
        h.Source.FetchCount.Should().Be(3);
    }

    [Fact]
    public async Task RecoverAsync_RightAfterAScheduledRead_ReadsTheStoreAgain()
    {
        await using var h = new ProviderHarness(o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(5);
            o.MinimumRefreshInterval = TimeSpan.FromMinutes(1);
        });
        h.Source.SetValue(KeyA);
        var rejected = await h.Provider.GetKeyAsync();
        await AdvanceToNextRefreshAsync(h);
        h.Source.FetchCount.Should().Be(2);
        h.Source.SetValue(KeyB);

        var key = await h.Provider.RecoverAsync(rejected, "invalid_api_key", CancellationToken.None);

        key.Value.Should().Be(KeyB, "a 401 right after a scheduled read gets a fresh read, not the rejected key back");
    }

    /// <summary>Advances fake time exactly to the scheduled read, so that it is the last thing that happened.</summary>
    private static Task AdvanceToNextRefreshAsync(ProviderHarness h)
        => h.AdvanceAsync(h.Provider.GetStatus().NextRefreshAt!.Value - h.Time.GetUtcNow());

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
