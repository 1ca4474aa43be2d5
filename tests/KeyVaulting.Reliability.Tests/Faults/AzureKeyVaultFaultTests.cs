using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Faults;

/// <summary>
/// The fault matrix for Azure Key Vault, through the Azure SDK's SecretClient over HTTPS with its retries off, with
/// client options supplied by the application (as <see cref="AzureKeyVaultStore"/> does): KeyVaulting's 256 KiB cap
/// on answers applies to them too.
/// </summary>
public sealed class AzureKeyVaultFaultTests : StoreFaultTests
{
    private const int RefreshFailedServingLastKnownGood = 3;

    [Fact]
    public async Task Refresh_OwnClientOptionsAnd64MiBAnswerAfterAGoodKey_StopsReadingAtTheCapAndServesTheLastKey()
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await AzureKeyVaultStore.StartAsync();
        await using var world = StoreWorld.Create(store);
        var loaded = await world.GetKeyAsync();
        store.HugeValueLength = 64 * 1024 * 1024;
        await store.InjectAsync(StoreFault.HugeBody);
        var readsBefore = world.ReadsEnded;

        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        var failed = await world.WaitForReadAsync(readsBefore);

        failed.Id.Id.Should().Be(RefreshFailedServingLastKnownGood, failed.Message);
        failed.Message.Should().Contain(store.SourceName).And.Contain("larger than 256 KiB");
        (await world.GetKeyAsync()).Should().BeSameAs(loaded, "the last known good key keeps being served");
        await Eventually.TrueAsync(() => store.HugeBodiesDropped == 1, "the client should drop the connection of the 64 MiB answer");
        store.HugeBodyBytesSent.Should().BeLessThan(store.HugeValueLength / 4, "the client reads at most 256 KiB; the rest is bounded by the sockets' buffers");
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    protected override async Task<FakeStore> StartStoreAsync() => await AzureKeyVaultStore.StartAsync();
}
