using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>Scenarios run under the leak harness by more than one suite.</summary>
internal static class LeakScenarios
{
    private const int KeyRotated = 2;

    /// <summary>Runs a registration that must be refused; returns the refusal, for the witness to check.</summary>
    public static Exception Refused(Action register, string because)
    {
        var error = Record.Exception(register);
        error.Should().NotBeNull(because);
        return error!;
    }

    /// <summary>
    /// Load, rotation, forced refresh, then the store echoes every secret it was sent in its error (a failed forced
    /// refresh, then a cold start against it); finally asserts that nothing leaked. <paramref name="beforeAssert"/>
    /// shows the witness what else the scenario produced (SDK events, SDK log lines).
    /// </summary>
    public static async Task LoadRotateRefreshThenEchoingStoreAsync(FakeStore store, Action<LeakWitness>? beforeAssert = null)
    {
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

        beforeAssert?.Invoke(world.Witness);
        world.Witness.ShouldNotHaveLeaked();
        coldStart.Witness.ShouldNotHaveLeaked();
    }
}
