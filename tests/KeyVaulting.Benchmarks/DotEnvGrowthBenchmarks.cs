using System.Text;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using KeyVaulting.Provider;
using KeyVaulting.Sources.DotEnv;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 6: cost growth of reading the key from <c>.env</c> files of 10, 1,000 and 100,000 lines, with
/// the key on the last line. Time should grow linearly with the number of lines.
/// </summary>
/// <remarks>
/// Both benchmarks go through stable seams so that they keep working when the parser is replaced:
/// <see cref="DotEnvParser.FindValue(Stream, string, string, out int, CancellationToken)"/>, and the source's <see cref="IOpenAIKeySource.FetchAsync"/>
/// (the source is built by the public <c>AddDotEnvFile</c>, not by its constructor).
/// </remarks>
[MemoryDiagnoser]
public class DotEnvGrowthBenchmarks
{
    private readonly string _key = BenchmarkKeys.Project('G');
    private TempDirectory? _directory;
    private ServiceProvider? _services;
    private IOpenAIKeySource _source = null!;
    private string _path = string.Empty;

    [Params(10, 1_000, 100_000)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory();
        _path = _directory.PathOf(".env");
        DotEnvFile.Write(_path, Lines, BenchmarkKeys.Variable, _key);

        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddDotEnvFile(_path);
        _services = services.BuildServiceProvider();
        _source = ((OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>()).Sources.Single();

        if (!string.Equals(DotEnvParser_FindValue(), _key, StringComparison.Ordinal)
            || !string.Equals(DotEnvFileKeySource_FetchAsync().Value, _key, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The .env file did not yield the benchmark key.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _directory?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public string? DotEnvParser_FindValue()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return DotEnvParser.FindValue(stream, BenchmarkKeys.Variable, _path, out _);
    }

    [Benchmark]
    public OpenAIKeySourceResult DotEnvFileKeySource_FetchAsync() => _source.FetchAsync(CancellationToken.None).Result;
}
