using System.Diagnostics.Metrics;
using System.Text;
using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// A key given where a name is expected, under the leak harness: every registration that takes a name refuses it
/// without repeating it, and a source whose name comes to hold a key after registration (a reloaded setting) has
/// that name masked in every log, exception, health entry, metric tag and activity tag.
/// </summary>
public sealed class SourceNameLeakTests
{
    [Fact]
    public async Task Registration_KeyGivenWhereANameIsExpected_RefusedWithoutRepeatingIt()
    {
        var pasted = Sentinel.Key();
        var refusals = new List<Exception>();
        void Refused(Action register) => refusals.Add(LeakScenarios.Refused(register, "a name that holds a key is refused"));

        Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddEnvironmentVariable(pasted.Value));
        Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddDotEnvFile(".env", pasted.Value));
        Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddDotEnvFile(pasted.Value));
        Refused(() => new ServiceCollection().AddOpenAIKeyProvider(pasted.Value));
        Refused(() => new ServiceCollection().AddHealthChecks().AddOpenAIKeyProvider(pasted.Value));
        Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddSource(new RenamingKeySource(pasted.Value, Sentinel.Key().Value)));
        foreach (var type in new[] { "EnvironmentVariable", "DotEnvFile" })
        {
            var json = $$"""{ "KeyVaulting": { "Sources": { "Main": { "Type": "{{type}}", "Variable": "{{pasted.Value}}" } } } }""";
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddOpenAIKeyProvider(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("KeyVaulting"));
            using var host = builder.Build();
            refusals.Add(await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(20))));
        }

        // One scenario that reads, so that the witness has logs, measurements and activities to look at too.
        await using var world = await NameWorld.StartAsync(pasted, renameLater: false);
        foreach (var refusal in refusals)
        {
            world.Witness.Saw(refusal);
        }

        world.Witness.ShouldNotHaveLeaked();
    }

    [Fact]
    public async Task Lifecycle_SourceNameComesToHoldAKey_MaskedInEveryLogExceptionHealthEntryMetricAndActivity()
    {
        using var unobserved = new UnobservedTaskExceptions();
        var pasted = Sentinel.Key();
        await using var world = await NameWorld.StartAsync(pasted, renameLater: true);

        world.Source.Rename(); // its name now holds the pasted key, as a reloaded setting could make it
        world.Source.Serve(world.Rotated.Value);
        world.Time.Advance(TimeSpan.FromMinutes(6));
        await Eventually.TrueAsync(() => world.Logs.GetSnapshot().Any(r => r.Id.Id == 2), "the periodic read should rotate the key");
        var rotated = await world.Provider.GetKeyAsync();
        rotated.Value.Should().Be(world.Rotated.Value);
        rotated.Source.Should().Be(world.Source.MaskedName);
        world.Witness.Saw("OpenAIKey.ToString()", rotated.ToString());
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        world.Source.HasNothing();
        world.Time.Advance(TimeSpan.FromSeconds(6));
        (await world.Provider.RefreshAsync()).Value.Should().Be(world.Rotated.Value);
        world.Source.Fails();
        world.Time.Advance(TimeSpan.FromSeconds(6));
        (await world.Provider.RefreshAsync()).Value.Should().Be(world.Rotated.Value);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Degraded);

        world.Witness.ShouldNotHaveLeaked();
        world.Logs.GetSnapshot().Should().Contain(r => r.Message.Contains(world.Source.MaskedName), "the masked name still says which source it is");
        unobserved.ShouldBeNone();
    }

    /// <summary>A provider over one <see cref="RenamingKeySource"/>, with the health check, fake time, Trace logs and metrics, watched by a witness.</summary>
    private sealed class NameWorld : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private NameWorld(ServiceProvider services, FakeTimeProvider time, RenamingKeySource source, Sentinel served, Sentinel rotated, Sentinel pasted, string watchedName)
        {
            _services = services;
            Time = time;
            Source = source;
            Rotated = rotated;
            Logs = services.GetFakeLogCollector();
            Witness = new LeakWitness([served, rotated, pasted], Logs, services.GetRequiredService<IMeterFactory>(), watchedName);
            Provider = services.GetRequiredService<IOpenAIKeyProvider>();
        }

        public FakeTimeProvider Time { get; }

        public RenamingKeySource Source { get; }

        public Sentinel Rotated { get; }

        public IOpenAIKeyProvider Provider { get; }

        public FakeLogCollector Logs { get; }

        public LeakWitness Witness { get; }

        public static async Task<NameWorld> StartAsync(Sentinel pasted, bool renameLater)
        {
            var served = Sentinel.Key();
            var source = new RenamingKeySource(pasted.Value, served.Value, renamed: false);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
            var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging().AddMetrics();
            services.AddHealthChecks().AddOpenAIKeyProvider();
            services.AddOpenAIKeyProvider(o => o.LoadOnStartup = false).AddSource(source);
            var world = new NameWorld(services.BuildServiceProvider(), time, source, served, Sentinel.Key(), pasted, renameLater ? source.MaskedName : source.Name);
            (await world.Provider.GetKeyAsync()).Value.Should().Be(served.Value);
            return world;
        }

        public async Task<HealthReport> CheckHealthAsync()
        {
            var report = await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Witness.Saw(report);
            return report;
        }

        public async ValueTask DisposeAsync()
        {
            Witness.Dispose();
            await _services.DisposeAsync();
        }
    }

    /// <summary>
    /// A source whose name is harmless when it is registered and holds a key after <see cref="Rename"/>; it repeats its
    /// name in its reasons and errors, as sources do.
    /// </summary>
    private sealed class RenamingKeySource(string pasted, string served, bool renamed = true) : IOpenAIKeySource
    {
        private readonly string _id = "Renaming-" + Guid.NewGuid().ToString("N");
        private volatile bool _renamed = renamed;
        private volatile Func<string, OpenAIKeySourceResult> _next = _ => OpenAIKeySourceResult.Found(served);

        public string Name => _renamed ? $"{_id}:{pasted}" : $"{_id}:openai";

        public string MaskedName => $"{_id}:sk-…[redacted]";

        public void Rename() => _renamed = true;

        public void Serve(string value) => _next = _ => OpenAIKeySourceResult.Found(value);

        public void HasNothing() => _next = name => OpenAIKeySourceResult.NotFound($"{name} holds no key");

        public void Fails() => _next = name => throw new OpenAIKeySourceException(name, $"{name} is unreachable", isTransient: true);

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken) => new(_next(Name));
    }
}
