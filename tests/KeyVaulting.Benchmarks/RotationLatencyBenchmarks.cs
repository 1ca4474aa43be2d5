using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 4 (forced path): from a change in the source to the first <see cref="IOpenAIKeyProvider.GetKeyAsync"/>
/// that returns the new key, through <see cref="IOpenAIKeyProvider.RefreshAsync"/> (what the OpenAI pipeline does after
/// a 401). Every invocation is a real rotation: the source alternates between two keys, the provider swaps its key and
/// fires its change token. <see cref="OpenAIKeyProviderOptions.MinimumRefreshInterval"/> is 0 so that no call is
/// answered from the rate limit.
/// </summary>
[MemoryDiagnoser]
public class RotationLatencyBenchmarks
{
    private const string RotatingVariable = "KEYVAULTING_BENCH_ROTATING_KEY";

    private readonly InMemoryKeySource _source = new();
    private readonly string[] _environmentKeys = [BenchmarkKeys.Project('C'), BenchmarkKeys.Project('D')];
    private ServiceProvider? _services;
    private IOpenAIKeyProvider _inMemory = null!;
    private IOpenAIKeyProvider _environment = null!;
    private int _environmentIndex;

    [GlobalSetup]
    public void Setup()
    {
        Environment.SetEnvironmentVariable(RotatingVariable, _environmentKeys[0]);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider("memory", options => options.MinimumRefreshInterval = TimeSpan.Zero).AddSource(_source);
        services.AddOpenAIKeyProvider("environment", options => options.MinimumRefreshInterval = TimeSpan.Zero).AddEnvironmentVariable(RotatingVariable);
        _services = services.BuildServiceProvider();
        _inMemory = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("memory");
        _environment = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("environment");
        _ = _inMemory.GetKeyAsync().AsTask().GetAwaiter().GetResult();
        _ = _environment.GetKeyAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<OpenAIKey> RefreshAsync_InMemorySource()
    {
        var expected = _source.Rotate();
        await _inMemory.RefreshAsync().ConfigureAwait(false);
        return ExpectNewKey(_inMemory, expected);
    }

    [Benchmark]
    public async Task<OpenAIKey> RefreshAsync_EnvironmentVariableSource()
    {
        _environmentIndex ^= 1;
        var expected = _environmentKeys[_environmentIndex];
        Environment.SetEnvironmentVariable(RotatingVariable, expected);
        await _environment.RefreshAsync().ConfigureAwait(false);
        return ExpectNewKey(_environment, expected);
    }

    private static OpenAIKey ExpectNewKey(IOpenAIKeyProvider provider, string expected)
    {
        var key = provider.GetKeyAsync().Result;
        return string.Equals(key.Value, expected, StringComparison.Ordinal)
            ? key
            : throw new InvalidOperationException("GetKeyAsync did not return the new key after RefreshAsync.");
    }
}
