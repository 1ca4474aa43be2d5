using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A forced refresh (after OpenAI answered 401) must observe the store as it is after the 401: it never just joins a
/// periodic read that started before, which may return the key that was just revoked.
/// </summary>
public sealed class OpenAIKeyProviderForcedRefreshTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task RefreshAsync_WhilePeriodicReadStartedBeforeTheRotationIsInFlight_ReadsAgainAfterIt()
    {
        await using var app = await App.StartWithKeyAAsync();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var periodic = await app.Source.NextFetchAsync(); // started before the rotation: it will answer the old key

        var refresh = app.Provider.RefreshAsync().AsTask(); // the key was rotated and revoked; OpenAI answered 401
        periodic.Found(KeyA);
        (await app.Source.NextFetchAsync()).Found(KeyB);

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB);
        app.Source.FetchCount.Should().Be(3);
    }

    [Fact]
    public async Task RefreshAsync_ManyCallsWhilePeriodicReadInFlight_ShareOneReadAfterIt()
    {
        await using var app = await App.StartWithKeyAAsync();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var periodic = await app.Source.NextFetchAsync();

        // Each call joins or queues under the provider's lock before it returns: all 50 arrive during the periodic read.
        var refreshes = Enumerable.Range(0, 50).Select(_ => app.Provider.RefreshAsync().AsTask()).ToArray();
        periodic.Found(KeyA);
        (await app.Source.NextFetchAsync()).Found(KeyB);
        var keys = await Task.WhenAll(refreshes).WaitAsync(Bound);

        keys.Should().AllSatisfy(k => k.Value.Should().Be(KeyB));
        app.Source.FetchCount.Should().Be(3, "the initial load, the periodic read and one forced read shared by every caller");
        app.Source.HasWaitingFetch.Should().BeFalse();
    }

    [Fact]
    public async Task GetKeyAsync_WhileForcedReadIsQueued_GetsTheKnownKeyWithoutWaiting()
    {
        await using var app = await App.StartWithKeyAAsync();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var periodic = await app.Source.NextFetchAsync();
        var refresh = app.Provider.RefreshAsync().AsTask();

        (await app.Provider.GetKeyAsync()).Value.Should().Be(KeyA, "the hot path never waits for a read");

        periodic.Found(KeyA);
        (await app.Source.NextFetchAsync()).Found(KeyB);
        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB);
    }

    [Fact]
    public async Task RefreshAsync_WhilePeriodicReadFindsANewKey_GetsThatKeyWithoutReadingAgain()
    {
        await using var app = await App.StartWithKeyAAsync();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var periodic = await app.Source.NextFetchAsync();

        var refresh = app.Provider.RefreshAsync().AsTask();
        periodic.Found(KeyB);

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB);
        app.Source.FetchCount.Should().Be(2, "a key other than the refused one is what the forced caller needs");
    }

    [Fact]
    public async Task RefreshAsync_WhilePeriodicReadFails_SharesItsOutcomeWithoutHittingTheFailingStoreAgain()
    {
        await using var app = await App.StartWithKeyAAsync();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var periodic = await app.Source.NextFetchAsync();

        var refresh = app.Provider.RefreshAsync().AsTask();
        periodic.Fail(new OpenAIKeySourceException(app.Source.Name, "503 from the store", isTransient: true));

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyA, "the last known good key");
        app.Source.FetchCount.Should().Be(2, "a store that has just failed is not read again at once; the backoff decides");
    }

    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private App()
        {
            var services = new ServiceCollection().AddSingleton<TimeProvider>(Time);
            services.AddFakeLogging();
            services.AddOpenAIKeyProvider().AddSource(Source);
            _services = services.BuildServiceProvider();
            Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

        public ControlledKeySource Source { get; } = new();

        public OpenAIKeyProvider Provider { get; }

        public static async Task<App> StartWithKeyAAsync()
        {
            var app = new App();
            var load = app.Provider.GetKeyAsync().AsTask();
            (await app.Source.NextFetchAsync()).Found(KeyA);
            (await load.WaitAsync(Bound)).Value.Should().Be(KeyA);
            return app;
        }

        // Bounded: a provider that hangs on disposal fails the test instead of hanging it.
        public ValueTask DisposeAsync() => new(_services.DisposeAsync().AsTask().WaitAsync(Bound));
    }
}
