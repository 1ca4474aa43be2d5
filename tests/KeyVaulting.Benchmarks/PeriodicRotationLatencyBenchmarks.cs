using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 4 (periodic path): how long a change in the source takes to be served when nobody calls
/// <see cref="IOpenAIKeyProvider.RefreshAsync"/>, with the shortest <see cref="OpenAIKeyProviderOptions.RefreshInterval"/>
/// allowed (1 second). The source changes right after a read, which is the worst case: the change waits for the next
/// timer tick, at <c>RefreshInterval</c> ± 10% jitter. The benchmark waits on the provider's change token, which fires
/// just after the new key is swapped in, so the time measured bounds the first <c>GetKeyAsync</c> returning the new key.
/// </summary>
/// <remarks>Each operation takes about a second, so this class runs a fixed 1 warmup and 5 measured iterations of 1 call.</remarks>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1, 1)]
public class PeriodicRotationLatencyBenchmarks
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly InMemoryKeySource _source = new();
    private ServiceProvider? _services;
    private IOpenAIKeyProvider _provider = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(options =>
        {
            options.RefreshInterval = RefreshInterval;
            options.MinimumRefreshInterval = TimeSpan.Zero;
        }).AddSource(_source);
        _services = services.BuildServiceProvider();
        _provider = _services.GetRequiredService<IOpenAIKeyProvider>();
        _ = _provider.GetKeyAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark]
    public OpenAIKey PeriodicRefresh_ChangeRightAfterARead()
    {
        using var changed = new ManualResetEventSlim();
        using var registration = _provider.GetChangeToken().RegisterChangeCallback(static state => ((ManualResetEventSlim)state!).Set(), changed);
        var expected = _source.Rotate();
        if (!changed.Wait(RefreshInterval * 5))
        {
            throw new InvalidOperationException("The periodic refresh did not pick up the change within 5 refresh intervals.");
        }

        var key = _provider.GetKeyAsync().Result;
        return string.Equals(key.Value, expected, StringComparison.Ordinal)
            ? key
            : throw new InvalidOperationException("GetKeyAsync did not return the new key after the change token fired.");
    }
}
