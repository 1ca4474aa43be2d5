using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Lifecycle;

/// <summary>
/// Disposing the application while a refresh hangs in a real store's client: disposal completes at once, the hung
/// request is abandoned (its connection closed), nothing reads the store afterwards however far time moves (no timer or
/// background read survives), a forced refresh is refused, and no task exception goes unobserved. (GetKeyAsync keeps
/// answering from memory with the last key, without touching the store: the hot path has no disposal check.)
/// </summary>
public sealed class StoreDisposalTests
{
    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task DisposeAsync_WhileARefreshHangsInTheStore_AbandonsItAndNothingRunsAfterwards(string storeName)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);
        var world = StoreWorld.Create(store);
        await world.GetKeyAsync();
        await store.InjectAsync(StoreFault.Hang);
        var requests = store.RequestCount;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        await store.WaitForRequestsAsync(requests + 1);

        await world.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await Eventually.TrueAsync(() => store.AbandonedRequests == 1, "the hung request should be abandoned by the disposed source");
        await store.RecoverAsync();
        var afterDisposal = store.RequestCount;
        world.Time.Advance(TimeSpan.FromHours(2));
        var refresh = async () => await world.Provider.RefreshAsync();
        await refresh.Should().ThrowAsync<ObjectDisposedException>();
        (await world.Provider.GetKeyAsync()).Value.Should().Be(store.Key.Value);
        store.RequestCount.Should().Be(afterDisposal, "no timer or background read survives disposal");
        unobserved.ShouldBeNone();
    }
}
