using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// An application using one store through the public API only: <c>AddOpenAIKeyProvider().Add…(…)</c>, the health
/// check, a <see cref="FakeTimeProvider"/> registered as its <see cref="TimeProvider"/>, fake logging at Trace and a
/// scoped <see cref="IMeterFactory"/>, all watched by a <see cref="LeakWitness"/>.
/// </summary>
public sealed class StoreWorld : IAsyncDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan InitialRetryDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The provider's events that end a read: loaded, rotated, failed with a key, no key, unchanged.</summary>
    private static readonly HashSet<int> ReadOutcomes = [1, 2, 3, 4, 13];

    private readonly ServiceProvider _services;

    private StoreWorld(ServiceProvider services, FakeTimeProvider time, FakeStore store)
    {
        _services = services;
        Time = time;
        Store = store;
        Logs = services.GetFakeLogCollector();
        Witness = new LeakWitness(store.Sentinels, Logs, services.GetRequiredService<IMeterFactory>(), store.SourceName);
        Provider = services.GetRequiredService<IOpenAIKeyProvider>();
    }

    public FakeTimeProvider Time { get; }

    public FakeStore Store { get; }

    public IOpenAIKeyProvider Provider { get; }

    public FakeLogCollector Logs { get; }

    public LeakWitness Witness { get; }

    public IServiceProvider Services => _services;

    /// <summary>Gets how many reads of the chain have ended so far (each ends with exactly one provider event).</summary>
    public int ReadsEnded => Logs.GetSnapshot().Count(IsReadOutcome);

    public static StoreWorld Create(FakeStore store, Action<OpenAIKeyProviderOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
        collection.AddMetrics();
        collection.AddHealthChecks().AddOpenAIKeyProvider();
        store.ConfigureServices(collection);
        var builder = collection.AddOpenAIKeyProvider(options =>
        {
            options.RefreshInterval = RefreshInterval;
            options.InitialRetryDelay = InitialRetryDelay;
            options.SourceTimeout = SourceTimeout;
            options.LoadOnStartup = false;
            configure?.Invoke(options);
        });
        store.AddTo(builder);
        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new StoreWorld(provider, time, store);
    }

    public async Task<OpenAIKey> GetKeyAsync()
    {
        var key = await Provider.GetKeyAsync();
        Witness.Saw("OpenAIKey.ToString()", key.ToString());
        return key;
    }

    public async Task<OpenAIKeyUnavailableException> GetKeyFailsAsync(Task<OpenAIKey>? pending = null)
    {
        var exception = await Assert.ThrowsAsync<OpenAIKeyUnavailableException>(() => pending ?? Provider.GetKeyAsync().AsTask());
        Witness.Saw(exception);
        return exception;
    }

    public async Task<HealthReport> CheckHealthAsync()
    {
        var report = await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Witness.Saw(report);
        return report;
    }

    /// <summary>Waits until more than <paramref name="endedBefore"/> reads have ended, and returns the event that ended the next one.</summary>
    public async Task<FakeLogRecord> WaitForReadAsync(int endedBefore)
    {
        await Eventually.TrueAsync(() => ReadsEnded > endedBefore, $"a read of {Store.SourceName} should end");
        return Logs.GetSnapshot().Where(IsReadOutcome).ElementAt(endedBefore);
    }

    public async ValueTask DisposeAsync()
    {
        Witness.Dispose();
        await _services.DisposeAsync();
    }

    private static bool IsReadOutcome(FakeLogRecord record)
        => record.Category == "KeyVaulting.OpenAIKeyProvider" && ReadOutcomes.Contains(record.Id.Id);
}
