using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.Rotation.Tests.EndToEnd;

/// <summary>
/// The end-to-end proofs every store must pass, on any <see cref="RotationWorld"/>: a rotation under the traffic of
/// three consumers, the leak response, rotators racing, and a crash after each step. The phase 1 tests run them on the
/// in-memory and <c>.env</c> stores; each store package's tests run them on its store (<see cref="StoreRotationTests"/>).
/// </summary>
internal static class RotationScenarios
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(30);

    // At least 1.1 × the longest RefreshInterval plus one read (SourceTimeout 30 s).
    public static readonly TimeSpan TrafficGrace = TimeSpan.FromMinutes(4);

    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    /// <summary>The crash points every store is proven against (those the Admin API fake can inject).</summary>
    public static readonly string[] CrashPoints =
    [
        "after create (the key is minted, the answer lost)",
        "after stage (the test cannot reach OpenAI, the process dies)",
        "after promote (the process dies in the grace period)",
        "during revoke (the key is deleted, the answer lost)",
    ];

    public static async Task RotateDuringTrafficAsync(RotationWorld world)
    {
        await using var app = await Consumers.StartAsync(world);
        var rotator = world.CreateRotator(o => o.GracePeriod = TrafficGrace);
        await using var traffic = app.StartTraffic(threads: 8);
        await traffic.WaitForRequestsAsync(60);

        var promoted = await rotator.RotateNowAsync();
        promoted.Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        var newKey = (await world.CurrentValueAsync())!;

        // Fake time runs through the grace period, less one second: every consumer's timer fires in it.
        world.Time.Advance(TrafficGrace - TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(async () => await app.AllServeAsync(newKey), "every consumer loads the new key within the grace period");
        await Eventually.TrueAsync(() => app.EachSentWith(newKey), "every consumer sends requests with the new key");
        world.InitialKey.IsRevoked.Should().BeFalse("the grace period is not over");
        (await rotator.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.WaitingForGracePeriod);

        world.Time.Advance(TimeSpan.FromSeconds(1));
        (await rotator.RunAsync()).Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        var revokedAt = world.InitialKey.RevokedAtApiRequest!.Value;
        await traffic.WaitForRequestsAsync(world.Api.RequestCount + 60);
        var failures = await traffic.StopAsync();

        failures.Should().BeEmpty("no request may fail during a rotation");
        for (var consumer = 0; consumer < Consumers.RefreshIntervals.Length; consumer++)
        {
            world.Api.Requests.Should().Contain(
                r => r.Tag != null && r.Tag.StartsWith($"c{consumer}-", StringComparison.Ordinal) && r.Key == newKey && r.Sequence <= revokedAt,
                "consumer {0} served the new key before the old one was revoked", consumer);
        }

        await world.ShouldHaveConvergedAsync();
        app.ShouldNotHaveLeaked(world.Secrets());
    }

    /// <summary>The leak response: rotate now and revoke the old key at once; every consumer recovers through one 401.</summary>
    public static async Task RotateImmediatelyDuringTrafficAsync(RotationWorld world)
    {
        await using var app = await Consumers.StartAsync(world);
        var rotator = world.CreateRotator(o => o.GracePeriod = TrafficGrace);
        await using var traffic = app.StartTraffic(threads: 8);
        await traffic.WaitForRequestsAsync(60);

        (await rotator.RotateNowAsync(RevokeTiming.Immediately)).Outcome.Should().Be(OpenAIKeyRotationOutcome.Completed);
        var newKey = (await world.CurrentValueAsync())!;
        world.InitialKey.IsRevoked.Should().BeTrue();
        await Eventually.TrueAsync(() => app.EachSentWith(newKey), "every consumer sends requests with the new key");
        await traffic.WaitForRequestsAsync(world.Api.RequestCount + 60);
        var failures = await traffic.StopAsync();

        failures.Should().BeEmpty("a request rejected with the revoked key is sent once more with the new one");
        var sends = world.Api.Requests.Where(r => r.Tag is not null).GroupBy(r => r.Tag).ToList();
        sends.Should().OnlyContain(g => g.Count() <= 2, "a request gets at most one 401");
        var resent = sends.Where(g => g.Count() == 2).ToList();
        resent.Should().OnlyContain(g => g.First().Key == world.InitialKey.Value && g.Last().Key == newKey, "the resend carries the new key");
        for (var consumer = 0; consumer < Consumers.RefreshIntervals.Length; consumer++)
        {
            resent.Should().Contain(g => g.Key!.StartsWith($"c{consumer}-", StringComparison.Ordinal), "consumer {0} learns of the new key through a 401", consumer);
        }

        await world.ShouldHaveConvergedAsync();
        app.ShouldNotHaveLeaked(world.Secrets());
    }

    public static async Task RotatorsRacingAsync(RotationWorld world, int rotators)
    {
        var all = Enumerable.Range(0, rotators).Select(_ => world.CreateRotator()).ToList();
        world.Time.Advance(Interval);

        var results = await Task.WhenAll(all.Select(r => Task.Run(() => r.RunAsync()))).WaitAsync(TimeSpan.FromSeconds(60));

        world.Admin.MintCount.Should().Be(1, "the store's conditional write lets one rotator claim the rotation before any key is minted");
        results.Count(r => r.Outcome == OpenAIKeyRotationOutcome.Promoted).Should().Be(1);
        results.Where(r => r.Outcome != OpenAIKeyRotationOutcome.Promoted).Should().OnlyContain(
            r => r.Outcome == OpenAIKeyRotationOutcome.StoodDown || r.Outcome == OpenAIKeyRotationOutcome.WaitingForGracePeriod,
            "the others stand down without error");
        (await world.CurrentValueAsync()).Should().Be(world.Admin.Keys.Single(k => k.Minted).Value);

        world.Time.Advance(Grace);
        await Task.WhenAll(all.Select(r => Task.Run(() => r.RunAsync()))).WaitAsync(TimeSpan.FromSeconds(60));
        await world.ShouldHaveConvergedAsync();
    }

    /// <summary>A crash at <paramref name="crash"/> (a <see cref="CrashPoints"/> entry, or an in-memory store's own), then a new rotator converges.</summary>
    public static async Task CrashThenNewRotatorAsync(RotationWorld world, string crash)
    {
        await using var unreachable = await LocalServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        var first = world.CreateRotator(o =>
        {
            if (crash.Contains("cannot reach", StringComparison.Ordinal))
            {
                o.Endpoint = new Uri(unreachable.Address, "v1/");
            }
        });
        world.Time.Advance(Interval);
        switch (crash)
        {
            case var c when c.StartsWith("after create", StringComparison.Ordinal):
                world.Admin.FailNext(AdminOperation.CreateServiceAccountKey, AdminFailure.AbortAfter);
                break;
            case var c when c.StartsWith("after stage (the key is staged", StringComparison.Ordinal):
                world.Memory!.FailReadAfter(TargetOperation.Stage);
                break;
            case var c when c.StartsWith("after test", StringComparison.Ordinal):
                world.Memory!.FailNext(TargetOperation.Promote);
                break;
            case var c when c.StartsWith("during revoke", StringComparison.Ordinal):
                world.Admin.FailNext(AdminOperation.DeleteApiKey, AdminFailure.AbortAfter);
                break;
            case var c when c.StartsWith("after revoke", StringComparison.Ordinal):
                world.Memory!.FailNext(TargetOperation.Complete);
                break;
        }

        // The first process runs through the grace period (or dies on the way), then is gone.
        await RunIgnoringFailureAsync(first);
        world.Time.Advance(Grace);
        await RunIgnoringFailureAsync(first);

        // A new process, after any claim it could find has expired.
        world.Time.Advance(TimeSpan.FromMinutes(5));
        var second = world.CreateRotator();
        for (var i = 0; i < 3; i++)
        {
            await second.RunAsync();
            world.Time.Advance(Grace);
        }

        await world.ShouldHaveConvergedAsync();
        world.InitialKey.IsRevoked.Should().BeTrue();
        var current = await world.CurrentValueAsync();
        current.Should().NotBe(world.InitialKey.Value);
        world.Admin.Keys.Where(k => k.Minted && k.Value != current).All(k => k.IsRevoked).Should().BeTrue("every other key the rotator minted is revoked");
    }

    public static async Task RunIgnoringFailureAsync(IOpenAIKeyRotator rotator)
    {
        try
        {
            await rotator.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is OpenAIKeyRotationException or OpenAIKeySourceException)
        {
            // The crash.
        }
    }
}
