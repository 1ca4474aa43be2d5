using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Reliability;

[Collection(ProcessWideMeasurementCollection.Name)]
public class ProviderLoadTests
{
    [Fact]
    public async Task GetKeyAsync_8ThreadsTimes1MillionCallsWhileSourceRotates1000Times_NoErrorsNoTornValuesNoAllocations()
    {
        const int Threads = 8;
        const int CallsPerThread = 1_000_000;
        const int Rotations = 1_000;
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.Zero);
        var held = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i <= Rotations; i++)
        {
            held.Add(TestKeys.Numbered(i));
        }

        h.Source.SetValue(TestKeys.Numbered(0), "0");
        await h.Provider.GetKeyAsync();
        var rotationsDone = 0;
        var errors = 0;
        var calls = new long[Threads];
        var allocated = new long[Threads];
        var seen = new HashSet<string>[Threads];

        var readers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                var local = new HashSet<string>(StringComparer.Ordinal);
                var provider = h.Provider;
                var before = GC.GetAllocatedBytesForCurrentThread();
                string? last = null;
                long i = 0;
                for (; i < CallsPerThread || Volatile.Read(ref rotationsDone) == 0; i++)
                {
                    var task = provider.GetKeyAsync();
                    if (!task.IsCompletedSuccessfully)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }

                    var value = task.Result.Value;
                    if (!ReferenceEquals(value, last))
                    {
                        last = value;
                        local.Add(value); // allocations here happen only on a change, at most ~1,000 times
                    }
                }

                allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
                calls[t] = i;
                seen[t] = local;
            },
            TaskCreationOptions.LongRunning)).ToArray();

        var rotator = Task.Run(async () =>
        {
            try
            {
                for (var i = 1; i <= Rotations; i++)
                {
                    h.Source.SetValue(TestKeys.Numbered(i), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    (await h.Provider.RefreshAsync()).Value.Should().Be(TestKeys.Numbered(i));
                }
            }
            finally
            {
                Volatile.Write(ref rotationsDone, 1);
            }
        });

        await rotator.WaitAsync(TimeSpan.FromMinutes(2));
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2));

        errors.Should().Be(0);
        seen.SelectMany(s => s).Should().OnlyContain(v => held.Contains(v), "every value returned is one the source held");
        // Each thread allocates only for the set entries of values it saw change (≤ 1,001), never per call.
        allocated.Should().OnlyContain(bytes => bytes < 200_000, "the hot path allocates nothing per call");
        calls.Should().OnlyContain(n => n >= CallsPerThread);
        h.Source.FetchCount.Should().Be(Rotations + 1);
        (await h.Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(Rotations));
    }

    [Fact]
    public async Task GetKeyAsync_WarmProvider_AllocatesNothingPerCall()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(TestKeys.Project());
        await h.Provider.GetKeyAsync();
        for (var i = 0; i < 1_000; i++)
        {
            _ = ReadSynchronously(h.Provider); // warm up (JIT tiering)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            _ = ReadSynchronously(h.Provider);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public async Task RefreshCycles_ManyRotations_MemoryStaysFlat()
    {
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.Zero);
        h.Source.SetValue(TestKeys.Numbered(0));
        await h.Provider.GetKeyAsync();
        for (var i = 1; i <= 200; i++)
        {
            h.Source.SetValue(TestKeys.Numbered(i));
            await h.Provider.RefreshAsync();
        }

        h.Logs.Clear(); // the test's log collector keeps every record; the provider must not keep anything
        var baseline = Collect();
        for (var i = 201; i <= 5_200; i++)
        {
            h.Source.SetValue(TestKeys.Numbered(i));
            await h.Provider.RefreshAsync();
        }

        h.Logs.Clear();
        var after = Collect();

        (after - baseline).Should().BeLessThan(512 * 1024, "old keys, change tokens and timers are not retained");
    }

    private static OpenAIKey ReadSynchronously(IOpenAIKeyProvider provider)
    {
        var read = provider.GetKeyAsync();
        return read.IsCompletedSuccessfully ? read.Result : throw new InvalidOperationException("The warm read did not complete synchronously.");
    }

    private static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
