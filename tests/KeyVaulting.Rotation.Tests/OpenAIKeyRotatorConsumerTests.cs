using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Tests;

/// <summary>
/// The rotator and this application's own provider (<see cref="OpenAIKeyRotationOptions.ProviderName"/>): a key
/// revoked at once is revoked only when the provider serves the key that replaced it, however recently it read.
/// </summary>
public sealed class OpenAIKeyRotatorConsumerTests
{
    // The provider's defaults: a forced read at most every 5 s, a read bounded by 30 s.
    private static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CatchUpLimit = MinimumRefreshInterval + TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RotateNowAsync_Immediately_WhileTheProviderJustRead_RevokesTheOldKeyOnlyOnceTheProviderServesTheNewOne()
    {
        await using var world = await RotationWorld.StartAsync();
        var services = world.CreateServices(
            o => o.ProviderName = string.Empty,
            s => world.AddConsumerSource(s.AddOpenAIKeyProvider(o => o.LoadOnStartup = false)));
        var consumer = services.GetRequiredService<IOpenAIKeyProvider>();
        (await consumer.RefreshAsync()).Value.Should().Be(world.InitialKey.Value, "a forced read now: the next one is allowed only 5 s later");
        var started = world.Time.GetUtcNow();

        var rotation = new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RotateNowAsync(RevokeTiming.Immediately);
        await AdvanceUntilAsync(world, rotation, servedBeforeRevoke: consumer);

        (await rotation).Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        var minted = world.Admin.Keys.Single(k => k.Minted).Value;
        world.InitialKey.IsRevoked.Should().BeTrue("a leaked key is still revoked in the same call");
        (await consumer.GetKeyAsync()).Value.Should().Be(minted, "the application serves the new key when the call returns");
        (world.Time.GetUtcNow() - started).Should().BeGreaterThanOrEqualTo(MinimumRefreshInterval, "the revocation waited for the provider's next allowed read")
            .And.BeLessThan(CatchUpLimit, "it waited no longer than that");
        world.Logs[0].GetSnapshot().Should().NotContain(r => r.Id.Id == 522);
        world.ShouldNotHaveLeaked();
    }

    [Fact]
    public async Task RotateNowAsync_Immediately_WhenTheProviderNeverServesTheNewKey_RevokesAfterTheBoundAndWarns()
    {
        await using var world = await RotationWorld.StartAsync();
        var first = new MutableKeySource("Memory:first");
        first.SetValue(TestKeys.Project('C'));
        var services = world.CreateServices(
            o => o.ProviderName = string.Empty,
            s => world.AddConsumerSource(s.AddOpenAIKeyProvider(o => o.LoadOnStartup = false).AddSource(first)));
        var consumer = services.GetRequiredService<IOpenAIKeyProvider>();
        var started = world.Time.GetUtcNow();

        var rotation = new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RotateNowAsync(RevokeTiming.Immediately);
        await AdvanceUntilAsync(world, rotation, servedBeforeRevoke: null);

        (await rotation).Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        world.InitialKey.IsRevoked.Should().BeTrue("the leak response revokes the old key even when this application cannot pick up the new one");
        (world.Time.GetUtcNow() - started).Should().BeGreaterThanOrEqualTo(CatchUpLimit, "the wait is bounded by one allowed read plus its timeout");
        var warning = world.Logs[0].GetSnapshot().Should().ContainSingle(r => r.Id.Id == 522).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("chain read another source first");
        world.ShouldNotHaveLeaked();
    }

    [Fact]
    public async Task RotateNowAsync_Immediately_WhenTheProviderCanReadAtOnce_DoesNotWait()
    {
        await using var world = await RotationWorld.StartAsync();
        var services = world.CreateServices(
            o => o.ProviderName = string.Empty,
            s => world.AddConsumerSource(s.AddOpenAIKeyProvider(o => o.LoadOnStartup = false)));
        var consumer = services.GetRequiredService<IOpenAIKeyProvider>();
        (await consumer.GetKeyAsync()).Value.Should().Be(world.InitialKey.Value, "a scheduled first read does not hold back a forced one");
        var started = world.Time.GetUtcNow();

        var result = await new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RotateNowAsync(RevokeTiming.Immediately);

        result.Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        (await consumer.GetKeyAsync()).Value.Should().Be(world.Admin.Keys.Single(k => k.Minted).Value);
        world.Time.GetUtcNow().Should().Be(started, "the refresh at promotion already served the new key");
    }

    /// <summary>
    /// Advances fake time in 250 ms steps until <paramref name="rotation"/> ends (at most two minutes of fake time,
    /// 30 s of wall-clock time); while the old key is not revoked, checks nothing, and once it is, that
    /// <paramref name="servedBeforeRevoke"/> (when given) no longer serves it.
    /// </summary>
    private static async Task AdvanceUntilAsync(RotationWorld world, Task rotation, IOpenAIKeyProvider? servedBeforeRevoke)
    {
        var wall = TimeProvider.System.GetTimestamp();
        for (var step = 0; !rotation.IsCompleted && step < 480 && TimeProvider.System.GetElapsedTime(wall) < BoundedRotator.Bound; step++)
        {
            await Task.WhenAny(rotation, Task.Delay(5));
            if (world.InitialKey.IsRevoked && servedBeforeRevoke is not null)
            {
                (await servedBeforeRevoke.GetKeyAsync()).Value.Should().NotBe(world.InitialKey.Value, "the application had the new key before the old one was revoked");
            }

            if (!rotation.IsCompleted)
            {
                world.Time.Advance(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}
