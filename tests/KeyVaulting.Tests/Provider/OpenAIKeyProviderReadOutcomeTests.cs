using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http;
using KeyVaulting.Diagnostics;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// What one read of the chain leaves behind for the people and code that look at it: whether a source's failure is
/// transient, how each fetch is counted and traced, and what the logs and status say about a kept, rotated or
/// unchanged key.
/// </summary>
public class OpenAIKeyProviderReadOutcomeTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task GetKeyAsync_SourceThrowsAnArbitraryException_CauseIsTransient()
    {
        await using var h = new ProviderHarness();
        h.Source.SetException(new HttpRequestException("connection refused"));

        var error = await FirstLoadErrorAsync(h);

        error.InnerException.Should().BeOfType<OpenAIKeySourceException>().Which.IsTransient.Should().BeTrue(
            "an exception a source did not classify (a network error, a bug) may go away on the next read");
    }

    [Fact]
    public async Task GetKeyAsync_SourceHoldsAValueThatIsNotAKey_CauseIsNotTransientAndNamesTheSourceNotTheValue()
    {
        const string Unusable = "sk-proj-has inner white space";
        await using var h = new ProviderHarness();
        h.Source.SetValue(Unusable);

        var error = await FirstLoadErrorAsync(h);

        var cause = error.InnerException.Should().BeOfType<OpenAIKeySourceException>().Subject;
        cause.IsTransient.Should().BeFalse("reading the same value again cannot make it a key");
        cause.Message.Should().StartWith("The value in Memory:source1 is not a usable OpenAI API key").And.NotContain(Unusable);
    }

    [Fact]
    public async Task GetKeyAsync_SourceReturnsNoResultAtAll_FailsNamingTheContractNotTransient()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(new NullResultSource());
        await using var sp = services.BuildServiceProvider();

        var act = async () => await sp.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        var error = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        var cause = error.InnerException.Should().BeOfType<OpenAIKeySourceException>().Subject;
        cause.Message.Should().Be("Memory:null-result returned no result; a source must return Found or NotFound.");
        cause.IsTransient.Should().BeFalse("a source that breaks the contract does not mend itself");
    }

    [Fact]
    public async Task Fetches_FailedInvalidAndThrowing_AreCountedAsFailedWithTheProviderOnTheSpan()
    {
        var activities = new List<Activity>();
        var sourceName = "Memory:outcome-" + Guid.NewGuid().ToString("N"); // the activity listener is process-wide
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == KeyVaultingDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem(KeyVaultingDiagnostics.SourceTag), sourceName))
                {
                    lock (activities)
                    {
                        activities.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var source = new MutableKeySource(sourceName);
        var services = new ServiceCollection().AddMetrics().AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        services.AddOpenAIKeyProvider("outcomes", o =>
        {
            o.MinimumRefreshInterval = TimeSpan.FromSeconds(1);
            o.InitialRetryDelay = TimeSpan.FromMinutes(1); // the background retry stays out of the count
        }).AddSource(source);
        await using var sp = services.BuildServiceProvider();
        using var fetches = new MetricCollector<long>(sp.GetRequiredService<IMeterFactory>(), KeyVaultingDiagnostics.Name, KeyVaultingDiagnostics.FetchesInstrument);
        var provider = sp.GetRequiredKeyedService<IOpenAIKeyProvider>("outcomes");
        var time = (Microsoft.Extensions.Time.Testing.FakeTimeProvider)sp.GetRequiredService<TimeProvider>();

        foreach (var arrange in new Action[]
                 {
                     () => source.SetFailure(),
                     () => source.SetValue("sk-proj-not a key"),
                     () => source.SetException(new InvalidOperationException("a bug in the source")),
                 })
        {
            arrange();
            await FluentActions.Awaiting(async () => await provider.RefreshAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>();
            time.Advance(TimeSpan.FromSeconds(2)); // past MinimumRefreshInterval
        }

        var measurements = fetches.GetMeasurementSnapshot();
        measurements.Should().HaveCount(3).And.OnlyContain(m => (string?)m.Tags[KeyVaultingDiagnostics.OutcomeTag] == KeyVaultingDiagnostics.OutcomeFailed, "each of the three reads failed");
        lock (activities)
        {
            activities.Should().HaveCount(3).And.OnlyContain(a =>
                Equals(a.GetTagItem(KeyVaultingDiagnostics.ProviderTag), "outcomes") && Equals(a.GetTagItem(KeyVaultingDiagnostics.OutcomeTag), KeyVaultingDiagnostics.OutcomeFailed));
        }
    }

    [Fact]
    public async Task GetKeyAsync_FirstSourceHasNone_LogsAtDebugWhyAndThatTheNextIsTried()
    {
        await using var h = new ProviderHarness(sourceCount: 2, services: s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)));
        h.Sources[0].SetNotFound("variable not set");
        h.Sources[1].SetValue(KeyA);

        await h.Provider.GetKeyAsync();

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 5).Which.Message.Should().Be(
            "OpenAI key provider 'default': Memory:source1 has no key (variable not set); trying the next source.");
    }

    [Fact]
    public async Task RefreshAsync_SameKeyAgainThenANewVersion_LogsUnchangedThenTheRotationWithItsVersion()
    {
        await using var h = new ProviderHarness(services: s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)));
        h.Source.SetValue(KeyA, "v1");
        var first = await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));

        await h.Provider.RefreshAsync();
        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 13).Which.Message.Should().Be(
            $"OpenAI key provider 'default' re-read Memory:source1: key {first.Fingerprint} is unchanged.");

        h.Source.SetValue(KeyB, "v2");
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        var second = await h.Provider.RefreshAsync();

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 2).Which.Message.Should().EndWith(
            $"{first.Fingerprint} -> {second.Fingerprint} from Memory:source1 (version: v2).");
    }

    [Fact]
    public async Task RefreshAsync_RotatedToAKeyWithoutVersion_LogSaysNone()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, "v1");
        await h.Provider.GetKeyAsync();
        h.Source.SetValue(KeyB);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));

        await h.Provider.RefreshAsync();

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 2).Which.Message.Should().EndWith("(version: none).");
    }

    [Fact]
    public async Task RefreshAsync_NoSourceHasAKeyWhileTheServedOneIsRejected_StatusAndLogSayEverySourceIsEmpty()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetNotFound("the secret was deleted");

        // OpenAI rejects the key: a source that served it and now has none no longer keeps it.
        (await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None)).Should().Be(key);

        h.Provider.GetStatus().LastError.Should().Be("no source of the chain has a key.");
        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 3).Which.Message.Should().StartWith(
            "OpenAI key provider 'default' could not refresh from every source: no source of the chain has a key.");
    }

    [Fact]
    public async Task RefreshAsync_SourceFailsWithALastGoodKey_WarningNamesTheFailingSource()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        var key = await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetFailure(message: "the vault is sealed");

        (await h.Provider.RefreshAsync()).Should().Be(key);

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 3).Which.Message.Should().StartWith(
            "OpenAI key provider 'default' could not refresh from Memory:source1: ").And.Contain("the vault is sealed").And.Contain(key.Fingerprint);
    }

    private static async Task<OpenAIKeyUnavailableException> FirstLoadErrorAsync(ProviderHarness h)
    {
        var act = async () => await h.Provider.GetKeyAsync();
        return (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
    }

    /// <summary>A broken source: its fetch completes with no result object.</summary>
    private sealed class NullResultSource : IOpenAIKeySource
    {
        public string Name => "Memory:null-result";

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken) => new((OpenAIKeySourceResult)null!);
    }
}
