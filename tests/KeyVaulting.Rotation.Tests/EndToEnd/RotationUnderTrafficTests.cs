using KeyVaulting.Rotation.Tests.Infrastructure;

namespace KeyVaulting.Rotation.Tests.EndToEnd;

/// <summary>
/// Rotations while an application serves traffic: three consumer "instances" (each its own key provider and
/// <c>AddOpenAIClient</c> wiring, refreshing every 1, 2 and 3 minutes of fake time) read the store the rotator writes,
/// and eight threads send chat completions through them the whole time.
/// </summary>
public sealed class RotationUnderTrafficTests
{
    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RotateNowAsync_DuringTrafficOfThreeConsumers_NoRequestFailsAndOldKeyIsRevokedOnlyAfterEveryConsumerServedTheNewOne(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await RotationScenarios.RotateDuringTrafficAsync(world);
    }

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RotateNowAsync_ImmediatelyDuringTraffic_EachConsumerRecoversThroughOne401AndNoRequestFails(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await RotationScenarios.RotateImmediatelyDuringTrafficAsync(world);
    }
}
