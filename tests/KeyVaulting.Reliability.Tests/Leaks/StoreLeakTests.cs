using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// The success and credential-failure scenarios of every store under the leak harness (<see cref="LeakWitness"/>):
/// load, rotation, forced refresh, a store that echoes every secret it was sent in its error, a cold start against
/// it, a refused Azure client secret and a refused AppRole login. The fault matrix (StoreFaultTests) runs the same
/// harness over every outage.
/// </summary>
public sealed class StoreLeakTests
{
    private const int KeyRotated = 2;

    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task Lifecycle_LoadRotateRefreshThenAStoreEchoingSecrets_NoSecretReachesTheApplication(string storeName)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);
        await using var world = StoreWorld.Create(store);
        (await world.GetKeyAsync()).Value.Should().Be(store.Key.Value);

        var rotated = store.Rotate();
        var readsBefore = world.ReadsEnded;
        world.Time.Advance(StoreWorld.RefreshInterval * 1.1);
        (await world.WaitForReadAsync(readsBefore)).Id.Id.Should().Be(KeyRotated);
        (await world.GetKeyAsync()).Value.Should().Be(rotated.Value);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        world.Witness.Saw("RefreshAsync", (await world.Provider.RefreshAsync()).ToString());
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        store.Scripted = store.EchoingError();
        world.Time.Advance(TimeSpan.FromSeconds(6));
        (await world.Provider.RefreshAsync()).Value.Should().Be(rotated.Value, "a failed forced refresh returns the last known good key");
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Degraded);

        await using var coldStart = StoreWorld.Create(store);
        var unavailable = await coldStart.GetKeyFailsAsync();
        unavailable.Message.Should().Contain(store.SourceName);
        (await coldStart.CheckHealthAsync()).Status.Should().Be(HealthStatus.Unhealthy);

        world.Witness.ShouldNotHaveLeaked();
        coldStart.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    [Fact]
    public async Task AzureKeyVault_ClientSecretRefusedByEntraId_NoSecretReachesTheApplication()
    {
        await using var store = await AzureKeyVaultStore.StartAsync();
        store.RejectClientSecret = true;
        await using var world = StoreWorld.Create(store);

        var unavailable = await world.GetKeyFailsAsync();

        unavailable.Message.Should().Contain(store.SourceName).And.Contain("ClientSecretCredential could not get a token");
        unavailable.ToString().Should().Contain("AADSTS7000215", "Entra ID's reason is kept in the inner exceptions");
        await world.CheckHealthAsync();
        world.Witness.ShouldNotHaveLeaked();
    }

    [Fact]
    public async Task HashiCorpVault_AppRoleLoginThenReadThenLoginRefusedEchoingTheSecretId_NoSecretReachesTheApplication()
    {
        await using var store = await HashiCorpVaultStore.StartAsync(appRole: true);
        await using var world = StoreWorld.Create(store);
        (await world.GetKeyAsync()).Value.Should().Be(store.Key.Value);

        store.RefuseLogin = true;
        await using var refused = StoreWorld.Create(store);
        var unavailable = await refused.GetKeyFailsAsync();

        unavailable.Message.Should().Contain(store.SourceName).And.Contain("AppRole");
        await refused.CheckHealthAsync();
        world.Witness.ShouldNotHaveLeaked();
        refused.Witness.ShouldNotHaveLeaked();
    }
}
