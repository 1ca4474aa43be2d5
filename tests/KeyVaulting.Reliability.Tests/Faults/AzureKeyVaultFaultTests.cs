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
    public async Task Refresh_OwnClientOptionsAnd128MiBAnswerAfterAGoodKey_StopsReadingAtTheCapAndServesTheLastKey()
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await AzureKeyVaultStore.StartAsync();
        await using var world = StoreWorld.Create(store);
        var loaded = await world.GetKeyAsync();
        store.HugeValueLength = 128 * 1024 * 1024;
        await store.InjectAsync(StoreFault.HugeBody);
        var readsBefore = world.ReadsEnded;
        var bytesBefore = store.ResponseBytesRead;

        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        var failed = await world.WaitForReadAsync(readsBefore);

        failed.Id.Id.Should().Be(RefreshFailedServingLastKnownGood, failed.Message);
        failed.Message.Should().Contain(store.SourceName).And.Contain("larger than 256 KiB");
        (await world.GetKeyAsync()).Should().BeSameAs(loaded, "the last known good key keeps being served");
        (store.ResponseBytesRead - bytesBefore).Should().BeLessThan(
            (256 + 128) * 1024,
            "the client reads 256 KiB and at most one copy buffer more of the answer, never the answer");
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    protected override async Task<FakeStore> StartStoreAsync() => await AzureKeyVaultStore.StartAsync();
}
