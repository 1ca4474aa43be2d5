using KeyVaulting.Diagnostics;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A key OpenAI rejects while the store still holds it (revoked before the store was updated): the provider re-reads
/// its sources at once, then every second, backing off to MinimumRefreshInterval, however many 401s arrive; it knows
/// the key is rejected until it serves another key or a request succeeds with it.
/// </summary>
public class OpenAIKeyProviderRejectionTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task RecoverAsync_401sForAMinute_ReadsAtMostOncePerSecondThenBacksOffToMinimumRefreshInterval()
    {
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.FromSeconds(5));
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        var readsAt = new List<TimeSpan>();
        var fetches = h.Source.FetchCount;

        // 50 rejected requests every 100 ms for a minute: 30,000 401s.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(1); elapsed += Step)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None).AsTask()));
            answers.Should().OnlyContain(k => k == key, "no source has a newer key");
            if (h.Source.FetchCount > fetches)
            {
                readsAt.Add(elapsed);
                fetches = h.Source.FetchCount;
            }

            await h.AdvanceAsync(Step);
        }

        var seconds = readsAt.Select(t => t.TotalSeconds).ToArray();
        seconds.Take(6).Should().Equal([0, 1, 2, 3, 4, 5], "the sources are read at once, then every second while a fix is most likely to land");
        var gaps = seconds.Zip(seconds.Skip(1), (a, b) => Math.Round(b - a, 1)).ToArray();
        gaps.Should().OnlyContain(gap => gap >= 1, "never more than one read a second, whatever the number of 401s");
        gaps.Skip(5).Take(3).Should().Equal([2, 4, 5], "then the reads back off, doubling");
        gaps.Skip(8).Should().OnlyContain(gap => gap == 5, "and stay at MinimumRefreshInterval");
        readsAt.Should().HaveCountLessThanOrEqualTo(18, "30,000 401s in a minute make at most 18 reads");
        h.Provider.IsKeyRejected().Should().BeTrue();
    }

    [Fact]
    public async Task RecoverAsync_NoMoreTrafficAfterOne401_TimerFindsTheKeyWrittenLaterWithinASecond()
    {
        await using var h = new ProviderHarness(services: s => s.AddHealthChecks().AddOpenAIKeyProvider());
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        (await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None)).Should().Be(key);
        var update = TimeSpan.FromSeconds(3.5);

        var elapsed = TimeSpan.Zero;
        while (elapsed < update)
        {
            await h.AdvanceAsync(Step);
            elapsed += Step;
        }

        (await CheckAsync(h)).Status.Should().Be(HealthStatus.Unhealthy);
        h.Source.SetValue(KeyB);
        while ((await h.Provider.GetKeyAsync()).Value != KeyB)
        {
            elapsed.Should().BeLessThan(update + TimeSpan.FromSeconds(1.2), "the timer reads every second or so while the key is rejected");
            await h.AdvanceAsync(Step);
            elapsed += Step;
        }

        h.Provider.IsKeyRejected().Should().BeFalse();
        (await CheckAsync(h)).Status.Should().Be(HealthStatus.Healthy);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 31 && r.Message.Contains("key sk-proj-…BBBB from Memory:source1 is served now", StringComparison.Ordinal));
        h.Source.FetchCount.Should().BeLessThanOrEqualTo(1 + 6, "the first load, the read at the 401, and one a second since");
        h.Logs.ShouldNotContainSecrets(KeyA, KeyB);
    }

    [Fact]
    public async Task RecoverAsync_StoreAlreadyHoldsANewKey_ReturnsItAfterOneReadWithoutARejection()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        h.Source.SetValue(KeyB);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None).AsTask()));

        answers.Should().OnlyContain(k => k.Value == KeyB);
        h.Source.FetchCount.Should().Be(2, "the 401s share one read");
        h.Provider.IsKeyRejected().Should().BeFalse("the rejected key is no longer served");
    }

    [Fact]
    public async Task RecoverAsync_ForAKeyNoLongerServed_ReturnsTheCurrentKeyWithoutReading()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var old = await h.Provider.GetKeyAsync();
        h.Source.SetValue(KeyB);
        await h.AdvanceAsync(TimeSpan.FromMinutes(6));
        var fetches = h.Source.FetchCount;

        var answer = await h.Provider.RecoverAsync(old, "invalid_api_key", CancellationToken.None);

        answer.Value.Should().Be(KeyB);
        h.Source.FetchCount.Should().Be(fetches);
        h.Provider.IsKeyRejected().Should().BeFalse();
    }

    [Fact]
    public async Task ReportAccepted_RequestSucceedsWithTheRejectedKey_EndsTheRejectionAndHealthRecovers()
    {
        await using var h = new ProviderHarness(services: s => s.AddHealthChecks().AddOpenAIKeyProvider());
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None);
        (await CheckAsync(h)).Status.Should().Be(HealthStatus.Unhealthy);

        h.Provider.ReportAccepted(key);

        h.Provider.IsKeyRejected().Should().BeFalse();
        (await CheckAsync(h)).Status.Should().Be(HealthStatus.Healthy);
        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 31).Which.Message.Should().Contain("a request succeeded with it").And.Contain("1 request(s)");
    }

    [Fact]
    public async Task RecoverAsync_RejectionStartsWithinASecondOfAForcedRead_TimerReadsOneSecondAfterIt()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        await h.Provider.RefreshAsync();
        var fetches = h.Source.FetchCount;
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(400));

        (await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None)).Should().Be(key);
        h.Source.FetchCount.Should().Be(fetches, "a read started 400 ms ago");
        h.Source.SetValue(KeyB);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(600));

        h.Source.FetchCount.Should().Be(fetches + 1, "the timer reads a second after the last read");
        (await h.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
    }

    [Fact]
    public async Task KeyRejected_WhileRejectedThenNewKey_GaugeReadsOneThenZero()
    {
        await using var h = new ProviderHarness(services: s => s.AddMetrics());
        using var gauge = new MetricCollector<int>(h.Services.GetRequiredService<IMeterFactory>(), KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.KeyRejectedInstrument);
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        gauge.RecordObservableInstruments();
        var before = gauge.LastMeasurement!.Value;

        await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None);
        gauge.RecordObservableInstruments();
        var rejected = gauge.LastMeasurement!;
        h.Source.SetValue(KeyB);
        await h.AdvanceAsync(TimeSpan.FromSeconds(1.2));
        gauge.RecordObservableInstruments();

        before.Should().Be(0);
        rejected.Value.Should().Be(1);
        rejected.Tags.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, object?>(KeyVaultingDiagnostics.ProviderTag, "default"));
        gauge.LastMeasurement!.Value.Should().Be(0, "a new key was found");
    }

    private static Task<HealthReport> CheckAsync(ProviderHarness h)
        => h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
}
