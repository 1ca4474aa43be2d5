using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests;

/// <summary>A service provider with one OpenAI key provider over scriptable sources, fake time and fake logging.</summary>
internal sealed class ProviderHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ProviderHarness(Action<OpenAIKeyProviderOptions>? configure = null, int sourceCount = 1, Action<IServiceCollection>? services = null)
    {
        Sources = Enumerable.Range(1, sourceCount).Select(i => new MutableKeySource($"Memory:source{i}")).ToArray();
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddFakeLogging();
        var builder = collection.AddOpenAIKeyProvider(o => configure?.Invoke(o));
        foreach (var source in Sources)
        {
            builder.AddSource(source);
        }

        services?.Invoke(collection);
        _services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
        Logs = _services.GetFakeLogCollector();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public MutableKeySource[] Sources { get; }

    public MutableKeySource Source => Sources[0];

    public OpenAIKeyProvider Provider { get; }

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _services;

    /// <summary>Advances fake time and waits for any read the timer started.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await Provider.PendingRead.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
