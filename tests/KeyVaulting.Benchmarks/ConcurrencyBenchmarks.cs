using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 2: <see cref="IOpenAIKeyProvider.GetKeyAsync"/> from 1, 2 and all cores at once, on one shared
/// provider, with and without a rotation every millisecond (a background thread changes the source and forces
/// <see cref="IOpenAIKeyProvider.RefreshAsync"/> with <see cref="OpenAIKeyProviderOptions.MinimumRefreshInterval"/> = 0).
/// </summary>
/// <remarks>
/// Each reader thread makes <see cref="CallsPerThread"/> calls per invocation, and the result is reported per call
/// (<c>OperationsPerInvoke</c>): with perfect scaling the time per call stays flat as threads are added, and total
/// throughput is <c>Threads / Mean</c>. The reader threads measure their own allocations
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), because BenchmarkDotNet's Allocated column also counts the
/// rotation thread; cleanup prints them and fails the benchmark if any reader allocated a byte.
/// The control runs the very same loop with a private provider per thread (nothing shared, never rotated): if the
/// shared provider is as fast as the control, readers do not contend, and whatever does not scale is the machine.
/// </remarks>
[MemoryDiagnoser]
public class ConcurrencyBenchmarks
{
    public const int CallsPerThread = 1_000_000;

    private readonly InMemoryKeySource _source = new();
    private readonly ManualResetEventSlim _done = new();
    private readonly Stopwatch _elapsed = new();
    private ServiceProvider? _services;
    private IOpenAIKeyProvider _provider = null!;
    private Reader[] _readers = [];
    private Thread? _rotator;
    private volatile bool _stopping;
    private int _remaining;
    private long _rotations;

    /// <summary>Gets the thread counts: 1, 2 and the machine's core count (equal to 2 on a 2-core machine).</summary>
    public static IEnumerable<int> ThreadCounts => new[] { 1, 2, Environment.ProcessorCount }.Distinct().Order();

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>What the reader threads read.</summary>
    public enum Scenario
    {
        /// <summary>Control: each thread reads its own provider; nothing is shared and nothing rotates.</summary>
        PrivateControl,

        /// <summary>Every thread reads the same provider.</summary>
        Shared,

        /// <summary>Every thread reads the same provider while a rotation happens every millisecond.</summary>
        SharedRotating,
    }

    [Params(Scenario.PrivateControl, Scenario.Shared, Scenario.SharedRotating)]
    public Scenario Readers { get; set; }

    private bool Shared => Readers != Scenario.PrivateControl;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(options => options.MinimumRefreshInterval = TimeSpan.Zero).AddSource(_source);
        for (var i = 0; i < Threads; i++)
        {
            services.AddOpenAIKeyProvider(PrivateProviderName(i)).AddSource(new InMemoryKeySource());
        }

        _services = services.BuildServiceProvider();
        _provider = _services.GetRequiredService<IOpenAIKeyProvider>();
        _ = _provider.GetKeyAsync().AsTask().GetAwaiter().GetResult();

        _readers = new Reader[Threads];
        for (var i = 0; i < _readers.Length; i++)
        {
            var reader = new Reader(_services.GetRequiredKeyedService<IOpenAIKeyProvider>(PrivateProviderName(i)));
            _ = reader.PrivateProvider.GetKeyAsync().AsTask().GetAwaiter().GetResult();
            reader.Thread = new Thread(ReadLoop) { IsBackground = true, Name = $"reader-{i}" };
            reader.Thread.Start(reader);
            _readers[i] = reader;
        }

        if (Readers == Scenario.SharedRotating)
        {
            _rotator = new Thread(RotateLoop) { IsBackground = true, Name = "rotator" };
            _rotator.Start();
        }

        _elapsed.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _elapsed.Stop();
        _stopping = true;
        foreach (var reader in _readers)
        {
            reader.Start.Release();
            reader.Thread!.Join();
        }

        _rotator?.Join();
        _services?.Dispose();
        _done.Dispose();
        foreach (var reader in _readers)
        {
            reader.Start.Dispose();
        }

        var calls = _readers.Sum(r => r.Calls);
        var allocated = _readers.Sum(r => r.Allocated);
        var changes = _readers.Sum(r => r.ChangesSeen);
        var rotations = Interlocked.Read(ref _rotations);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// KeyVaulting concurrency: {Threads} reader thread(s), {calls:N0} calls, {allocated:N0} bytes allocated on reader threads, " +
            $"{changes:N0} key changes seen by readers; {rotations:N0} rotations in {_elapsed.Elapsed.TotalSeconds:F1} s " +
            $"({rotations / Math.Max(_elapsed.Elapsed.TotalSeconds, 0.001):F0}/s)."));

        if (allocated != 0)
        {
            throw new InvalidOperationException($"The reader threads allocated {allocated} bytes: the hot path must not allocate.");
        }

        if (Readers == Scenario.SharedRotating && (rotations == 0 || changes == 0))
        {
            throw new InvalidOperationException("No rotation was observed by the readers: the benchmark did not measure what it claims.");
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerThread)]
    public void GetKeyAsync_OnEveryThread()
    {
        _done.Reset();
        Volatile.Write(ref _remaining, _readers.Length);
        foreach (var reader in _readers)
        {
            reader.Start.Release();
        }

        _done.Wait();
    }

    private static string PrivateProviderName(int reader) => $"reader-{reader}";

    /// <summary>
    /// The measured loop, in its own method so that it is tiered up (with PGO) like application code, rather than
    /// running as on-stack-replacement code inside the thread's endless loop.
    /// </summary>
    private static long ReadMany(IOpenAIKeyProvider provider, ref OpenAIKey? last)
    {
        var changes = 0L;
        for (var i = 0; i < CallsPerThread; i++)
        {
            var key = provider.GetKeyAsync().Result;
            if (!ReferenceEquals(key, last))
            {
                last = key;
                changes++;
            }
        }

        return changes;
    }

    private void ReadLoop(object? state)
    {
        var reader = (Reader)state!;
        var provider = Shared ? _provider : reader.PrivateProvider;
        while (true)
        {
            reader.Start.Wait();
            if (_stopping)
            {
                return;
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var last = reader.Last;
            var changes = ReadMany(provider, ref last);
            reader.Allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            reader.Calls += CallsPerThread;
            reader.ChangesSeen += changes;
            reader.Last = last;

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }

    /// <summary>
    /// Rotates on a 1 ms schedule: when the thread wakes late (the OS timer, or two busy readers on two cores), it
    /// catches up without sleeping, so the rate stays as close to 1,000 per second as the machine allows. Cleanup
    /// prints the rate achieved.
    /// </summary>
    private void RotateLoop()
    {
        var period = Stopwatch.Frequency / 1000;
        var next = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            _source.Rotate();
            _ = _provider.RefreshAsync().AsTask().GetAwaiter().GetResult();
            Interlocked.Increment(ref _rotations);

            next += period;
            var now = Stopwatch.GetTimestamp();
            if (next - now > period / 2)
            {
                Thread.Sleep(1);
            }
            else if (now - next > 100 * period)
            {
                // Far behind (the machine stalled): start a new schedule instead of rotating in a burst.
                next = now;
            }
        }
    }

    private sealed class Reader(IOpenAIKeyProvider privateProvider)
    {
        public IOpenAIKeyProvider PrivateProvider { get; } = privateProvider;

        public SemaphoreSlim Start { get; } = new(0);

        public Thread? Thread { get; set; }

        public OpenAIKey? Last { get; set; }

        public long Calls { get; set; }

        public long Allocated { get; set; }

        public long ChangesSeen { get; set; }
    }
}
