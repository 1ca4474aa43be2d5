using System.Diagnostics;
using System.Diagnostics.Metrics;
using KeyVaulting.Reliability.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// The leak harness itself: a sentinel, or 12 characters of it, put in any one of the places it watches makes it
/// fail, so that a passing leak test means something.
/// </summary>
public sealed class LeakWitnessTests
{
    public static TheoryData<string> Channels() => new(
        "log message", "log structured state", "log scope", "logged exception", "exception Data", "inner exception",
        "health description", "health data", "metric tag", "activity tag", "activity event", "text");

    [Fact]
    public async Task ShouldNotHaveLeaked_NothingLeaked_Passes()
    {
        await using var scenario = await Scenario.StartAsync();

        scenario.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task ShouldNotHaveLeaked_PartOfTheKeyInOneChannel_Fails(string channel)
    {
        await using var scenario = await Scenario.StartAsync();
        var part = scenario.Key.Core.Substring(10, Sentinel.FragmentLength);
        var logger = scenario.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");

        switch (channel)
        {
            case "log message":
                logger.LogTrace("value {Value}", part);
                break;
            case "log structured state":
                logger.Log(LogLevel.Trace, default, new Dictionary<string, object?> { ["Value"] = part }, null, (_, _) => "nothing to see");
                break;
            case "log scope":
                using (logger.BeginScope("scope {Value}", part))
                {
                    logger.LogTrace("inside a scope");
                }

                break;
            case "logged exception":
                logger.LogError(new InvalidOperationException("failed with " + part), "failed");
                break;
            case "exception Data":
                scenario.Witness.Saw(new InvalidOperationException("failed") { Data = { ["value"] = part } });
                break;
            case "inner exception":
                scenario.Witness.Saw(new InvalidOperationException("failed", new InvalidOperationException(part)));
                break;
            case "health description":
                scenario.Witness.Saw(Report(HealthReportEntry(part, new Dictionary<string, object>())));
                break;
            case "health data":
                scenario.Witness.Saw(Report(HealthReportEntry("fine", new Dictionary<string, object> { ["lastError"] = part })));
                break;
            case "metric tag":
                // The same meter and instrument the provider records on (a meter returns its existing instrument).
                var meter = scenario.Services.GetRequiredService<IMeterFactory>().Create("KeyVaulting");
                meter.CreateCounter<long>("keyvaulting.source.fetches", "{fetch}", "Reads of a key source, by outcome.")
                    .Add(1, new KeyValuePair<string, object?>("keyvaulting.source", part));
                break;
            case "activity tag":
            case "activity event":
                using (var source = new ActivitySource("KeyVaulting"))
                using (var activity = source.StartActivity("KeyVaulting.Fetch")!)
                {
                    activity.SetTag(KeyVaultingActivities.SourceTag, scenario.Source.Name);
                    if (channel == "activity tag")
                    {
                        activity.SetTag("value", part);
                    }
                    else
                    {
                        activity.AddEvent(new ActivityEvent("read", tags: new ActivityTagsCollection { ["value"] = part }));
                    }
                }

                break;
            default:
                scenario.Witness.Saw("a text", "it is " + part);
                break;
        }

        var act = scenario.Witness.ShouldNotHaveLeaked;

        act.Should().Throw<Exception>().Which.Message.Should().Contain("OpenAI key");
    }

    private static HealthReport Report(HealthReportEntry entry)
        => new(new Dictionary<string, HealthReportEntry> { ["openai-key"] = entry }, TimeSpan.Zero);

    private static HealthReportEntry HealthReportEntry(string description, Dictionary<string, object> data)
        => new(HealthStatus.Degraded, description, TimeSpan.Zero, exception: null, data);

    /// <summary>A provider that has read one sentinel key from an in-memory source, watched by a witness.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(ServiceProvider services, Sentinel key, MutableKeySource source)
        {
            Services = services;
            Key = key;
            Source = source;
            Witness = new LeakWitness([key], services.GetFakeLogCollector(), services.GetRequiredService<IMeterFactory>(), source.Name);
        }

        public ServiceProvider Services { get; }

        public Sentinel Key { get; }

        public MutableKeySource Source { get; }

        public LeakWitness Witness { get; }

        public static async Task<Scenario> StartAsync()
        {
            var key = Sentinel.Key();
            var source = new MutableKeySource("Memory:witness-" + Guid.NewGuid().ToString("N"));
            source.SetValue(key.Value);
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging().AddMetrics();
            services.AddOpenAIKeyProvider().AddSource(source);
            var provider = services.BuildServiceProvider();
            var scenario = new Scenario(provider, key, source);
            await provider.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();
            return scenario;
        }

        public async ValueTask DisposeAsync()
        {
            Witness.Dispose();
            await Services.DisposeAsync();
        }
    }
}
