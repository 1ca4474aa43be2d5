using System.Diagnostics.Metrics;
using KeyVaulting.Diagnostics;
using KeyVaulting.Testing;
using KeyVaulting.Tests.Provider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Primitives;

namespace KeyVaulting.Tests.Reliability;

/// <summary>
/// What a disposed provider leaves behind: no timer on the application's clock, no gauge reporting it, and no change
/// notification from a read that ends after the disposal. An application that creates and disposes providers (tests,
/// multi-tenant hosts) does not accumulate them.
/// </summary>
public class ProviderReleaseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DisposeAsync_AfterReadsAndRefreshes_ReleasesEveryTimerItCreated()
    {
        var time = new TimerRecordingTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project('A'));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddOpenAIKeyProvider().AddSource(source);
        await using var sp = services.BuildServiceProvider();
        var provider = (KeyVaulting.Provider.OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();
        await provider.GetKeyAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await provider.RefreshAsync();
        time.Created.Should().NotBeEmpty("the provider schedules its refresh and bounds each fetch on the clock");

        await provider.DisposeAsync();

        time.Created.Should().OnlyContain(t => t.IsDisposed, "a disposed provider leaves no timer behind: neither its refresh timer nor a fetch's SourceTimeout");
    }

    [Fact]
    public async Task DisposeAsync_KeyAgeAndRejectedGauges_NoLongerReportTheProvider()
    {
        await using var h = new ProviderHarness(services: s => s.AddMetrics());
        var meters = h.Services.GetRequiredService<IMeterFactory>();
        using var age = new MetricCollector<double>(meters, KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.KeyAgeInstrument);
        using var rejected = new MetricCollector<int>(meters, KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.KeyRejectedInstrument);
        h.Source.SetValue(TestKeys.Project('A'));
        await h.Provider.GetKeyAsync();
        age.RecordObservableInstruments();
        rejected.RecordObservableInstruments();
        age.GetMeasurementSnapshot().Should().NotBeEmpty();
        rejected.GetMeasurementSnapshot().Should().NotBeEmpty();

        await h.Provider.DisposeAsync();
        age.Clear();
        rejected.Clear();
        age.RecordObservableInstruments();
        rejected.RecordObservableInstruments();

        age.GetMeasurementSnapshot().Should().BeEmpty("a disposed provider's key age is not reported");
        rejected.GetMeasurementSnapshot().Should().BeEmpty("nor whether its key is rejected");
    }

    [Fact]
    public async Task DisposeAsync_ReadEndsWithANewKeyAfterTheDisposal_NoChangeIsNotified()
    {
        var app = new ControlledProvider();
        await app.LoadAsync(TestKeys.Project('A'));
        var changes = 0;
        using var registration = ChangeToken.OnChange(app.Provider.GetChangeToken, () => Interlocked.Increment(ref changes));
        app.Time.Advance(TimeSpan.FromMinutes(7)); // the periodic read starts; its source ignores cancellation
        var fetch = await app.Source.NextFetchAsync();

        var disposal = app.Provider.DisposeAsync().AsTask();
        fetch.Found(TestKeys.Project('B')); // the store answers after the disposal began
        await disposal.WaitAsync(Bound);
        await app.DisposeAsync();

        Volatile.Read(ref changes).Should().Be(0, "clients are not rebuilt for a key read after shutdown");
        app.Provider.GetStatus().Key!.Value.Should().Be(TestKeys.Project('A'));
    }
}
