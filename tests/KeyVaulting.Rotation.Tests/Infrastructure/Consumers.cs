using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using OpenAI.Chat;

namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>Three consumers of the store, each with its own provider, refresh interval and OpenAI client.</summary>
internal sealed class Consumers : IAsyncDisposable
{
    /// <summary>The consumers' refresh intervals: every 1, 2 and 3 minutes of fake time.</summary>
    public static readonly TimeSpan[] RefreshIntervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)];

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
            world.AddConsumerSource(provider);

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
