using System.Globalization;
using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Reliability.Tests.Faults;

/// <summary>
/// The fault matrix, run once per store through its real client or wire protocol: after a good key is loaded the
/// store answers 500, 502, 503, 429 with Retry-After, hangs past SourceTimeout, refuses connections, or sends
/// malformed, truncated, HTML or 10 MB answers. Each time the last known good key keeps being served, the retry is
/// scheduled within the backoff bounds (or after Retry-After), health is Degraded and then Healthy once the store
/// recovers, nothing leaks and no task exception goes unobserved. On a cold start the error names the source and the
/// store's reason.
/// </summary>
public abstract class StoreFaultTests
{
    private const int KeyLoaded = 1;
    private const int RefreshFailedServingLastKnownGood = 3;
    private const int NoKey = 4;
    private const int KeyUnchanged = 13;

    public static TheoryData<StoreFault> Faults()
    {
        var data = new TheoryData<StoreFault>();
        foreach (var fault in Enum.GetValues<StoreFault>().Where(f => f != StoreFault.None))
        {
            data.Add(fault);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Refresh_StoreFailsAfterAGoodKey_ServesItBacksOffAndRecovers(StoreFault fault)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await StartStoreAsync();
        await using var world = StoreWorld.Create(store);
        var loaded = await world.GetKeyAsync();
        loaded.Value.Should().Be(store.Key.Value);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        await store.InjectAsync(fault);
        var readsBefore = world.ReadsEnded;
        var requestsBefore = store.RequestCount;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1); // the periodic refresh is due (its interval is jittered by ±10%)
        if (fault == StoreFault.Hang)
        {
            await store.WaitForRequestsAsync(requestsBefore + 1);
            world.Time.Advance(StoreWorld.SourceTimeout);
        }

        var failed = await world.WaitForReadAsync(readsBefore);

        failed.Id.Id.Should().Be(RefreshFailedServingLastKnownGood, failed.Message);
        failed.Message.Should().Contain(store.SourceName).And.Contain(store.ExpectedReason(fault));
        (await world.GetKeyAsync()).Should().BeSameAs(loaded, "the last known good key keeps being served");
        var retryDelay = TimeSpan.Parse(failed.GetStructuredStateValue("RetryDelay")!, CultureInfo.InvariantCulture);
        if (fault == StoreFault.TooManyRequests)
        {
            retryDelay.Should().Be(TimeSpan.FromSeconds(30), "the store's Retry-After is longer than the backoff, so it wins");
        }
        else
        {
            retryDelay.Should().BeGreaterThanOrEqualTo(StoreWorld.InitialRetryDelay * 0.8).And.BeLessThanOrEqualTo(StoreWorld.InitialRetryDelay * 1.2);
        }

        var degraded = await world.CheckHealthAsync();
        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Entries.Values.Single().Data["lastError"].Should().BeOfType<string>().Which.Should().Contain(store.ExpectedReason(fault));

        await store.RecoverAsync();
        var readsBeforeRetry = world.ReadsEnded;
        world.Time.Advance(retryDelay);
        var retried = await world.WaitForReadAsync(readsBeforeRetry);

        retried.Id.Id.Should().Be(KeyUnchanged, retried.Message);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        (await world.GetKeyAsync()).Should().BeSameAs(loaded);
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task GetKeyAsync_StoreFailsOnColdStart_ThrowsNamingTheSourceAndTheStoresReasonThenRecovers(StoreFault fault)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await StartStoreAsync();
        await store.InjectAsync(fault);
        await using var world = StoreWorld.Create(store);

        var pending = world.Provider.GetKeyAsync().AsTask();
        if (fault == StoreFault.Hang)
        {
            await store.WaitForRequestsAsync(1);
            world.Time.Advance(StoreWorld.SourceTimeout);
        }

        var unavailable = await world.GetKeyFailsAsync(pending);

        unavailable.Message.Should().Contain(store.SourceName).And.Contain(store.ExpectedReason(fault));
        unavailable.InnerException.Should().BeOfType<OpenAIKeySourceException>().Which.SourceName.Should().Be(store.SourceName);
        var unhealthy = await world.CheckHealthAsync();
        unhealthy.Status.Should().Be(HealthStatus.Unhealthy);
        unhealthy.Entries.Values.Single().Data["lastError"].Should().BeOfType<string>().Which.Should().Contain(store.ExpectedReason(fault));

        await store.RecoverAsync();
        var readsBefore = world.ReadsEnded;
        world.Time.Advance(TimeSpan.FromSeconds(30)); // the longest first retry: Retry-After, else at most 1.2 × InitialRetryDelay
        var retried = await world.WaitForReadAsync(readsBefore);

        retried.Id.Id.Should().Be(KeyLoaded, retried.Message);
        (await world.GetKeyAsync()).Value.Should().Be(store.Key.Value);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        world.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == NoKey);
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    [Fact]
    public async Task Refresh_StoreAsksToRetryAfter60Days_WaitsNoLongerThanMaxStalenessAndKeepsRefreshing()
    {
        // 60 days is more than a timer can wait (2^32 - 2 ms, about 49.7 days) and than any key may go unconfirmed.
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await StartStoreAsync();
        await using var world = StoreWorld.Create(store);
        var loaded = await world.GetKeyAsync();
        store.RetryAfterSeconds = (int)TimeSpan.FromDays(60).TotalSeconds;
        await store.InjectAsync(StoreFault.TooManyRequests);
        var readsBefore = world.ReadsEnded;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);

        var failed = await world.WaitForReadAsync(readsBefore);

        failed.Id.Id.Should().Be(RefreshFailedServingLastKnownGood, failed.Message);
        TimeSpan.Parse(failed.GetStructuredStateValue("RetryDelay")!, CultureInfo.InvariantCulture).Should().Be(TimeSpan.FromHours(24), "the wait is capped at MaxStaleness");
        (await world.GetKeyAsync()).Should().BeSameAs(loaded);
        await store.RecoverAsync();
        var readsBeforeRetry = world.ReadsEnded;
        world.Time.Advance(TimeSpan.FromHours(24));
        (await world.WaitForReadAsync(readsBeforeRetry)).Id.Id.Should().Be(KeyUnchanged);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    /// <summary>Starts the store's local server holding a fresh sentinel key.</summary>
    protected abstract Task<FakeStore> StartStoreAsync();
}
