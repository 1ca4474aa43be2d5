using KeyVaulting.Rotation.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Rotation.Tests.EndToEnd;

/// <summary>
/// The end-to-end proofs of <see cref="RotationScenarios"/> on a real store: each store's test project links this
/// harness and derives from this class with its <see cref="IRotationStore"/> (its fake server, its package's target and
/// source).
/// </summary>
public abstract class StoreRotationTests
{
    public static TheoryData<string> CrashPoints => [.. RotationScenarios.CrashPoints];

    [Fact]
    public async Task RotateNowAsync_DuringTrafficOfThreeConsumers_NoRequestFailsAndOldKeyIsRevokedOnlyAfterEveryConsumerServedTheNewOne()
    {
        await using var world = await RotationWorld.StartAsync(CreateStoreAsync);
        await RotationScenarios.RotateDuringTrafficAsync(world);
    }

    [Fact]
    public async Task RotateNowAsync_ImmediatelyDuringTraffic_EachConsumerRecoversThroughOne401AndNoRequestFails()
    {
        await using var world = await RotationWorld.StartAsync(CreateStoreAsync);
        await RotationScenarios.RotateImmediatelyDuringTrafficAsync(world);
    }

    [Fact]
    public async Task RunAsync_TwoRotatorsRacing_ExactlyOneKeyMintedAndPromoted()
    {
        await using var world = await RotationWorld.StartAsync(CreateStoreAsync);
        await RotationScenarios.RotatorsRacingAsync(world, rotators: 2);
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task RunAsync_CrashAtAnyStepThenNewRotator_ConvergesToOneLiveKeyAndNoOrphan(string crash)
    {
        await using var world = await RotationWorld.StartAsync(CreateStoreAsync);
        await RotationScenarios.CrashThenNewRotatorAsync(world, crash);
    }

    /// <summary>Starts the store's fake server on the world's clock and returns the store.</summary>
    private protected abstract Task<IRotationStore> CreateStoreAsync(FakeTimeProvider time);
}
