using System.ClientModel;
using System.Collections.Concurrent;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using OpenAI.Chat;

namespace KeyVaulting.Rotation.Tests.EndToEnd;

/// <summary>
/// Rotations while an application serves traffic: three consumer "instances" (each its own key provider and
/// <c>AddOpenAIClient</c> wiring, refreshing every 1, 2 and 3 minutes of fake time) read the store the rotator writes,
/// and eight threads send chat completions through them the whole time.
/// </summary>
public sealed class RotationUnderTrafficTests
{
    private static readonly TimeSpan[] RefreshIntervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)];

    // At least 1.1 × the longest RefreshInterval plus one read (SourceTimeout 30 s).
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RotateNowAsync_DuringTrafficOfThreeConsumers_NoRequestFailsAndOldKeyIsRevokedOnlyAfterEveryConsumerServedTheNewOne(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await using var app = await Consumers.StartAsync(world);
        var rotator = world.CreateRotator(o => o.GracePeriod = Grace);
        await using var traffic = app.StartTraffic(threads: 8);
        await traffic.WaitForRequestsAsync(60);

        var promoted = await rotator.RotateNowAsync();
        promoted.Outcome.Should().Be(OpenAIKeyRotationOutcome.Promoted);
        var newKey = (await world.CurrentValueAsync())!;

        // Fake time runs through the grace period, less one second: every consumer's timer fires in it.
        world.Time.Advance(Grace - TimeSpan.FromSeconds(1));
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
        for (var consumer = 0; consumer < RefreshIntervals.Length; consumer++)
        {
            world.Api.Requests.Should().Contain(
                r => r.Tag != null && r.Tag.StartsWith($"c{consumer}-", StringComparison.Ordinal) && r.Key == newKey && r.Sequence <= revokedAt,
                "consumer {0} served the new key before the old one was revoked", consumer);
        }

        await world.ShouldHaveConvergedAsync();
        app.ShouldNotHaveLeaked(world.Secrets());
    }

    [Theory]
    [InlineData(TargetKind.Memory)]
    [InlineData(TargetKind.DotEnv)]
    public async Task RotateNowAsync_ImmediatelyDuringTraffic_EachConsumerRecoversThroughOne401AndNoRequestFails(TargetKind kind)
    {
        await using var world = await RotationWorld.StartAsync(kind);
        await using var app = await Consumers.StartAsync(world);
        var rotator = world.CreateRotator(o => o.GracePeriod = Grace);
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
        for (var consumer = 0; consumer < RefreshIntervals.Length; consumer++)
        {
            resent.Should().Contain(g => g.Key!.StartsWith($"c{consumer}-", StringComparison.Ordinal), "consumer {0} learns of the new key through a 401", consumer);
        }

        await world.ShouldHaveConvergedAsync();
        app.ShouldNotHaveLeaked(world.Secrets());
    }

    /// <summary>Three consumers of the store, each with its own provider, refresh interval and OpenAI client.</summary>
    private sealed class Consumers : IAsyncDisposable
    {
        private readonly RotationWorld _world;
        private readonly List<ServiceProvider> _instances;

        private Consumers(RotationWorld world, List<ServiceProvider> instances)
        {
            _world = world;
            _instances = instances;
        }

        public static async Task<Consumers> StartAsync(RotationWorld world)
        {
            var instances = new List<ServiceProvider>();
            foreach (var interval in RefreshIntervals)
            {
                var services = new ServiceCollection();
                services.AddSingleton<TimeProvider>(world.Time);
                services.AddFakeLogging();
                var provider = services.AddOpenAIKeyProvider(o => o.RefreshInterval = interval);
                if (world.Kind == TargetKind.Memory)
                {
                    provider.AddSource(world.Memory!);
                }
                else
                {
                    provider.AddDotEnvFile(world.DotEnvPath);
                }

                services.AddOpenAIClient(s => s.Endpoint = world.Api.Endpoint);
                services.AddOpenAIChatClient("gpt-4o-mini");
                var built = services.BuildServiceProvider();
                (await built.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask().WaitAsync(BoundedRotator.Bound)).Value.Should().Be(world.InitialKey.Value);
                instances.Add(built);
            }

            return new Consumers(world, instances);
        }

        public async Task<bool> AllServeAsync(string key)
        {
            foreach (var instance in _instances)
            {
                if ((await instance.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask().WaitAsync(BoundedRotator.Bound)).Value != key)
                {
                    return false;
                }
            }

            return true;
        }

        public bool EachSentWith(string key)
        {
            var requests = _world.Api.Requests;
            return Enumerable.Range(0, _instances.Count).All(c => requests.Any(r => r.Key == key && r.Tag is not null && r.Tag.StartsWith($"c{c}-", StringComparison.Ordinal)));
        }

        public Traffic StartTraffic(int threads) => new(_world.Api, _instances.Select(i => i.GetRequiredService<ChatClient>()).ToList(), threads);

        public void ShouldNotHaveLeaked(string[] secrets)
        {
            foreach (var instance in _instances)
            {
                instance.GetFakeLogCollector().ShouldNotContainSecrets(secrets);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var instance in _instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    /// <summary>Threads that send chat completions until stopped, each through one consumer, and keep every failure.</summary>
    private sealed class Traffic : IAsyncDisposable
    {
        private readonly LocalOpenAIServer _api;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<string> _failures = [];
        private readonly Task[] _threads;

        public Traffic(LocalOpenAIServer api, IReadOnlyList<ChatClient> clients, int threads)
        {
            _api = api;
            _threads = Enumerable.Range(0, threads).Select(t => Task.Run(() => SendAsync(clients[t % clients.Count], $"c{t % clients.Count}-t{t}"))).ToArray();
        }

        public Task WaitForRequestsAsync(int count) => _api.WaitForRequestsAsync(count);

        public async Task<IReadOnlyCollection<string>> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_threads).WaitAsync(TimeSpan.FromSeconds(30));
            return _failures;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_threads).WaitAsync(TimeSpan.FromSeconds(30));
            _stop.Dispose();
        }

        private async Task SendAsync(ChatClient client, string name)
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                try
                {
                    var answer = await client.CompleteChatAsync([new UserChatMessage($"{name}-{n}")]).WaitAsync(BoundedRotator.Bound);
                    if (answer.GetRawResponse().Status != 200)
                    {
                        _failures.Add($"{name}-{n}: {answer.GetRawResponse().Status}");
                    }
                }
                catch (ClientResultException ex)
                {
                    _failures.Add($"{name}-{n}: {ex.Status}");
                }
                catch (TimeoutException)
                {
                    _failures.Add($"{name}-{n}: no answer within {BoundedRotator.Bound}");
                }
            }
        }
    }
}
