using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 5: time to the first key, with a fresh service provider and provider on every call: register,
/// build the container, resolve the provider (options validation included), read the source, then dispose.
/// The store packages' cold starts are in <see cref="StoreColdStartBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class ColdStartBenchmarks
{
    private readonly string _key = BenchmarkKeys.Project('S');
    private TempDirectory? _directory;
    private string _dotEnvPath = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        Environment.SetEnvironmentVariable(BenchmarkKeys.Variable, _key);
        _directory = new TempDirectory();
        _dotEnvPath = _directory.PathOf(".env");
        DotEnvFile.Write(_dotEnvPath, lines: 10, BenchmarkKeys.Variable, _key);

        Expect(EnvironmentVariableSource().GetAwaiter().GetResult());
        Expect(DotEnvFileSource().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup() => _directory?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<OpenAIKey> EnvironmentVariableSource()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddEnvironmentVariable(BenchmarkKeys.Variable);
        await using var container = services.BuildServiceProvider();
        return await container.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().ConfigureAwait(false);
    }

    [Benchmark]
    public async Task<OpenAIKey> DotEnvFileSource()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddDotEnvFile(_dotEnvPath);
        await using var container = services.BuildServiceProvider();
        return await container.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().ConfigureAwait(false);
    }

    private void Expect(OpenAIKey key)
    {
        if (!string.Equals(key.Value, _key, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The cold start did not load the benchmark key.");
        }
    }
}
