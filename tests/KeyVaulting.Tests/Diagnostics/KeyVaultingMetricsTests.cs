using System.Diagnostics;
using KeyVaulting.Diagnostics;
using KeyVaulting.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KeyVaulting.Tests.Diagnostics;

public class KeyVaultingMetricsTests
{
    [Fact]
    public async Task Fetches_ByOutcome_AreCountedWithProviderAndSourceTags()
    {
        await using var h = new ProviderHarness(sourceCount: 2, services: s => s.AddMetrics());
        var scope = h.Services.GetRequiredService<IMeterFactory>();
        using var fetches = new MetricCollector<long>(scope, KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.FetchesInstrument);
        h.Sources[0].SetNotFound();
        h.Sources[1].SetValue(TestKeys.Project());

        await h.Provider.GetKeyAsync();

        var measurements = fetches.GetMeasurementSnapshot();
        measurements.Should().Contain(m => (string?)m.Tags[KeyVaultingDiagnostics.SourceTag] == "Memory:source1" && (string?)m.Tags[KeyVaultingDiagnostics.OutcomeTag] == "not_found");
        measurements.Should().Contain(m => (string?)m.Tags[KeyVaultingDiagnostics.SourceTag] == "Memory:source2" && (string?)m.Tags[KeyVaultingDiagnostics.OutcomeTag] == "found");
        measurements.Should().OnlyContain(m => (string?)m.Tags[KeyVaultingDiagnostics.ProviderTag] == "default");
    }

    [Fact]
    public async Task Rotations_NewKey_CountedOnceAndKeyAgeObserved()
    {
        await using var h = new ProviderHarness(services: s => s.AddMetrics());
        var scope = h.Services.GetRequiredService<IMeterFactory>();
        using var rotations = new MetricCollector<long>(scope, KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.RotationsInstrument);
        using var age = new MetricCollector<double>(scope, KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.KeyAgeInstrument);
        h.Source.SetValue(TestKeys.Project('A'));
        await h.Provider.GetKeyAsync();
        h.Source.SetValue(TestKeys.Project('B'));
        await h.AdvanceAsync(TimeSpan.FromMinutes(6));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));

        age.RecordObservableInstruments();

        rotations.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1);
        age.LastMeasurement!.Value.Should().BeApproximately(60, 0.001);
    }

    [Fact]
    public async Task KeyAge_WallClockStepsBack_KeepsMeasuringElapsedTime()
    {
        var clock = new KeyVaulting.Tests.Provider.SteppingClock();
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project());
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddMetrics();
        services.AddOpenAIKeyProvider().AddSource(source);
        await using var sp = services.BuildServiceProvider();
        using var age = new MetricCollector<double>(sp.GetRequiredService<IMeterFactory>(), KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.KeyAgeInstrument);
        await sp.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        clock.StepWallClock(TimeSpan.FromHours(-1));
        clock.Advance(TimeSpan.FromMinutes(1));
        age.RecordObservableInstruments();

        age.LastMeasurement!.Value.Should().BeApproximately(60, 0.001);
    }

    [Fact]
    public async Task FetchActivity_Started_CarriesSourceAndOutcomeButNoKey()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == KeyVaultingDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        var source = new MutableKeySource("Memory:activity-" + Guid.NewGuid().ToString("N")); // the listener is process-wide
        var key = TestKeys.Project('T');
        source.SetValue(key);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(source);
        await using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        Activity fetch;
        lock (activities)
        {
            fetch = activities.Should().ContainSingle(a => a.OperationName == KeyVaultingDiagnostics.FetchActivity && (string?)a.GetTagItem(KeyVaultingDiagnostics.SourceTag) == source.Name).Subject;
        }

        fetch.GetTagItem(KeyVaultingDiagnostics.OutcomeTag).Should().Be("found");
        fetch.TagObjects.Should().OnlyContain(t => !(t.Value ?? string.Empty).ToString()!.Contains(key));
    }
}
