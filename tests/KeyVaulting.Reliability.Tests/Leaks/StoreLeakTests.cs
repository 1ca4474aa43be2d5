using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// The success and credential-failure scenarios of every store under the leak harness (<see cref="LeakWitness"/>):
/// load, rotation, forced refresh, a store that echoes every secret it was sent in its error, a cold start against
/// it, a refused Azure client secret and a refused AppRole login. The fault matrix (StoreFaultTests) runs the same
/// harness over every outage.
/// </summary>
public sealed class StoreLeakTests
{
    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task Lifecycle_LoadRotateRefreshThenAStoreEchoingSecrets_NoSecretReachesTheApplication(string storeName)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);

        await LeakScenarios.LoadRotateRefreshThenEchoingStoreAsync(store);

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
