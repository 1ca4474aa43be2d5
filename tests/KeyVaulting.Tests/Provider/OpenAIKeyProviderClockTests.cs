using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// Intervals are measured on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>): a step of the wall clock
/// (an NTP correction, a restored VM) neither turns off forced refresh nor makes a fresh key look stale.
/// </summary>
public sealed class OpenAIKeyProviderClockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task RefreshAsync_WallClockStepsBackAnHour_ReadsTheStoreOnceMinimumRefreshIntervalHasPassed()
    {
        await using var app = new App(o => o.MinimumRefreshInterval = TimeSpan.FromSeconds(5));
        app.Source.SetValue(KeyA);
        await app.Provider.GetKeyAsync();
        await app.AdvanceAsync(TimeSpan.FromSeconds(10));
        (await app.Provider.RefreshAsync()).Value.Should().Be(KeyA);
        app.Source.SetValue(KeyB);

        app.Clock.StepWallClock(TimeSpan.FromHours(-1));
        await app.AdvanceAsync(TimeSpan.FromSeconds(6));
        var key = await app.Provider.RefreshAsync();

        key.Value.Should().Be(KeyB, "a forced read 6 s after the last one reads the store, whatever the wall clock did");
        app.Source.FetchCount.Should().Be(3);
    }

    [Fact]
    public async Task GetKeyAsync_ColdFailureThenWallClockStepsBack_RetriesOnceMinimumRefreshIntervalHasPassed()
    {
        await using var app = new App(o =>
        {
            o.MinimumRefreshInterval = TimeSpan.FromSeconds(5);
            o.InitialRetryDelay = TimeSpan.FromMinutes(1); // no background retry inside this test
        });
        app.Source.SetFailure();
        await FluentActions.Awaiting(() => app.Provider.GetKeyAsync().AsTask()).Should().ThrowAsync<OpenAIKeyUnavailableException>();
        app.Source.SetValue(KeyA);

        app.Clock.StepWallClock(TimeSpan.FromHours(-1));
        await app.AdvanceAsync(TimeSpan.FromSeconds(6));

        (await app.Provider.GetKeyAsync()).Value.Should().Be(KeyA);
        app.Source.FetchCount.Should().Be(2);
    }

    [Fact]
    public async Task CheckHealth_WallClockStepsForwardTwoDays_StaysHealthy()
    {
        await using var app = new App();
        app.Source.SetValue(KeyA);
        await app.Provider.GetKeyAsync();

        app.Clock.StepWallClock(TimeSpan.FromDays(2)); // past MaxStaleness (24 h) on the wall clock only
        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        var report = await app.CheckHealthAsync();

        report.Status.Should().Be(HealthStatus.Healthy);
        report.Entries["openai-key"].Data["ageSeconds"].Should().Be(60.0);
    }

    [Fact]
    public async Task CheckHealth_WallClockStepsBackThenStoreFailsForLongerThanMaxStaleness_Unhealthy()
    {
        await using var app = new App(o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(30);
            o.MaxStaleness = TimeSpan.FromHours(1);
        });
        app.Source.SetValue(KeyA);
        await app.Provider.GetKeyAsync();
        app.Source.SetFailure();

        app.Clock.StepWallClock(TimeSpan.FromHours(-2));
        for (var i = 0; i < 8; i++)
        {
            await app.AdvanceAsync(TimeSpan.FromMinutes(10)); // 80 minutes of failed refreshes
        }

        var report = await app.CheckHealthAsync();

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["openai-key"].Description.Should().Contain("MaxStaleness");
    }

    /// <summary>An application with one provider over one scriptable source on a <see cref="SteppingClock"/>.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public App(Action<OpenAIKeyProviderOptions>? configure = null)
        {
            var services = new ServiceCollection().AddSingleton<TimeProvider>(Clock);
            services.AddFakeLogging();
            services.AddHealthChecks().AddOpenAIKeyProvider();
            services.AddOpenAIKeyProvider(o => configure?.Invoke(o)).AddSource(Source);
            _services = services.BuildServiceProvider();
            Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
        }

        public SteppingClock Clock { get; } = new();

        public MutableKeySource Source { get; } = new("Memory:clock");

        public OpenAIKeyProvider Provider { get; }

        public async Task AdvanceAsync(TimeSpan by)
        {
            Clock.Advance(by);
            await Provider.PendingRead.WaitAsync(Bound);
        }

        public Task<HealthReport> CheckHealthAsync() => _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        // Bounded: a provider that hangs on disposal fails the test instead of hanging it.
        public ValueTask DisposeAsync() => new(_services.DisposeAsync().AsTask().WaitAsync(Bound));
    }
}
