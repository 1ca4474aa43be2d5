using KeyVaulting.Provider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// The default provider over one <see cref="ControlledKeySource"/>, on fake time, with fake logging: each fetch waits
/// for the test, so a test decides what is in flight when a caller arrives. SourceTimeout is ten minutes.
/// </summary>
internal sealed class ControlledProvider : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ServiceProvider _services;

    public ControlledProvider(Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection().AddSingleton<TimeProvider>(Time);
        collection.AddFakeLogging();
        collection.AddOpenAIKeyProvider(o => o.SourceTimeout = TimeSpan.FromMinutes(10)).AddSource(Source);
        services?.Invoke(collection);
        _services = collection.BuildServiceProvider();
        Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
        Logs = _services.GetFakeLogCollector();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public ControlledKeySource Source { get; } = new();

    public OpenAIKeyProvider Provider { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>Loads <paramref name="value"/> at once, then makes later fetches wait for the test again.</summary>
    public async Task<OpenAIKey> LoadAsync(string value)
    {
        Source.AnswerAtOnce = () => OpenAIKeySourceResult.Found(value);
        var key = await Provider.GetKeyAsync();
        Source.AnswerAtOnce = null;
        return key;
    }

    // Bounded: a provider that hangs on disposal fails the test instead of hanging it.
    public ValueTask DisposeAsync() => new(_services.DisposeAsync().AsTask().WaitAsync(Bound));
}
