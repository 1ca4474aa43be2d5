using KeyVaulting.Provider;
using KeyVaulting.Testing;
using KeyVaulting.Tests.Sources.DotEnv;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// Absence after presence: a source that served the key and then reports none (an unset variable, a deleted
/// <c>.env</c> file) keeps its last key, with the health check Degraded, instead of letting the chain fall through to
/// another source's key; the chain falls through when no key was served yet, or when OpenAI rejects the kept key.
/// Each case runs with the environment variable source, the <c>.env</c> source and an in-memory source, each followed
/// by a fallback source holding another key.
/// </summary>
public sealed class OpenAIKeyProviderAbsenceTests
{
    private static readonly string ServedKey = TestKeys.Project('S');
    private static readonly string FallbackKey = TestKeys.Project('F');

    public static TheoryData<string> Kinds => new() { AbsenceWorld.EnvironmentVariable, AbsenceWorld.DotEnvFile, AbsenceWorld.Memory };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Refresh_SourceThatServedTheKeyNowHasNone_KeepsTheLastGoodKeyAndReportsDegraded(string kind)
    {
        await using var world = AbsenceWorld.Create(kind);
        world.Put(ServedKey);
        (await world.Provider.GetKeyAsync()).Value.Should().Be(ServedKey);

        world.Remove();
        await world.AdvanceAsync(TimeSpan.FromMinutes(6));

        var key = await world.Provider.GetKeyAsync();
        key.Value.Should().Be(ServedKey, "a source that served the key and then has none keeps it");
        key.Source.Should().Be(world.SourceName);
        world.Fallback.FetchCount.Should().Be(0, "the chain does not fall through to another key");
        var report = await world.CheckHealthAsync();
        report.Status.Should().Be(HealthStatus.Degraded);
        report.Entries["openai-key"].Data["lastError"].As<string>().Should()
            .Contain($"{world.SourceName} no longer has a key ({world.AbsenceReason}").And.Contain("Put the key back in").And.Contain("only when OpenAI rejects");
        world.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3 && r.Message.Contains("no longer has a key", StringComparison.Ordinal));

        world.Put(ServedKey);
        await world.AdvanceAsync(TimeSpan.FromSeconds(1.5)); // the first retry: InitialRetryDelay (1 s) ± 20%
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy, "the key is back");
        world.Logs.ShouldNotContainSecrets(ServedKey, FallbackKey);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task GetKeyAsync_SourceHasNoKeyBeforeAnyWasServed_FallsThroughToTheNextSource(string kind)
    {
        await using var world = AbsenceWorld.Create(kind);
        world.Remove();

        var key = await world.Provider.GetKeyAsync();
        await world.AdvanceAsync(TimeSpan.FromMinutes(6));

        key.Value.Should().Be(FallbackKey, "at startup a source without a key falls through");
        (await world.Provider.GetKeyAsync()).Value.Should().Be(FallbackKey);
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Refresh_SourceHasNoKeyAndOpenAIRejectsTheKeptKey_FallsThroughToTheNextSource(string kind)
    {
        await using var world = AbsenceWorld.Create(kind);
        world.Put(ServedKey);
        var served = await world.Provider.GetKeyAsync();
        world.Remove();
        await world.AdvanceAsync(TimeSpan.FromMinutes(6));
        (await world.Provider.GetKeyAsync()).Should().Be(served, "kept while OpenAI accepts it");

        var answer = await world.Provider.RecoverAsync(served, "invalid_api_key", CancellationToken.None);

        answer.Value.Should().Be(FallbackKey, "a rejected key is not kept: the chain falls through");
        answer.Source.Should().Be("Memory:fallback");
        world.Provider.IsKeyRejected().Should().BeFalse();
        (await world.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        world.Logs.ShouldNotContainSecrets(ServedKey, FallbackKey);
    }

    /// <summary>One provider over the source under test and a fallback <see cref="MutableKeySource"/> after it.</summary>
    private sealed class AbsenceWorld : IAsyncDisposable
    {
        public const string EnvironmentVariable = "EnvironmentVariable";
        public const string DotEnvFile = "DotEnvFile";
        public const string Memory = "Memory";

        private readonly ServiceProvider _services;
        private readonly string _kind;
        private readonly string _variable = "KEYVAULTING_TEST_ABSENCE_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        private readonly TempDirectory? _folder;
        private readonly MutableKeySource _memory = new("Memory:served");

        private AbsenceWorld(string kind)
        {
            _kind = kind;
            Fallback.SetValue(FallbackKey);
            var collection = new ServiceCollection();
            collection.AddSingleton<TimeProvider>(Time);
            collection.AddFakeLogging();
            collection.AddHealthChecks().AddOpenAIKeyProvider();
            var builder = collection.AddOpenAIKeyProvider();
            switch (kind)
            {
                case EnvironmentVariable:
                    builder.AddEnvironmentVariable(_variable);
                    SourceName = "EnvironmentVariable:" + _variable;
                    AbsenceReason = $"the environment variable {_variable} is not set";
                    break;
                case DotEnvFile:
                    _folder = new TempDirectory();
                    builder.AddDotEnvFile(_folder.PathOf(".env"));
                    SourceName = $"DotEnvFile:{_folder.PathOf(".env")}:OPENAI_API_KEY";
                    AbsenceReason = $"the file {_folder.PathOf(".env")} does not exist";
                    break;
                default:
                    builder.AddSource(_memory);
                    SourceName = _memory.Name;
                    AbsenceReason = "deleted";
                    break;
            }

            builder.AddSource(Fallback);
            _services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
            Logs = _services.GetFakeLogCollector();
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));

        public MutableKeySource Fallback { get; } = new("Memory:fallback");

        public OpenAIKeyProvider Provider { get; }

        public FakeLogCollector Logs { get; }

        public string SourceName { get; }

        /// <summary>Gets the source's reason for having no key, as the health data repeats it.</summary>
        public string AbsenceReason { get; }

        public static AbsenceWorld Create(string kind) => new(kind);

        public void Put(string key)
        {
            switch (_kind)
            {
                case EnvironmentVariable:
                    Environment.SetEnvironmentVariable(_variable, key);
                    break;
                case DotEnvFile:
                    _folder!.WriteFile(".env", $"OPENAI_API_KEY={key}\n");
                    break;
                default:
                    _memory.SetValue(key);
                    break;
            }
        }

        /// <summary>Unsets the variable, deletes the file, or empties the store.</summary>
        public void Remove()
        {
            switch (_kind)
            {
                case EnvironmentVariable:
                    Environment.SetEnvironmentVariable(_variable, null);
                    break;
                case DotEnvFile:
                    File.Delete(_folder!.PathOf(".env"));
                    break;
                default:
                    _memory.SetNotFound("deleted");
                    break;
            }
        }

        public async Task AdvanceAsync(TimeSpan by)
        {
            Time.Advance(by);
            await Provider.PendingRead.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public Task<HealthReport> CheckHealthAsync() => _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            Environment.SetEnvironmentVariable(_variable, null);
            _folder?.Dispose();
        }
    }
}
