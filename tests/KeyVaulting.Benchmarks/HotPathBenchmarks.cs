using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 1: reading the current key on a warm provider, against what an application would write instead.
/// Every baseline reads from a host built like <c>Host.CreateApplicationBuilder(args)</c> (appsettings.json,
/// appsettings.{Environment}.json, environment variables, command line), and returns the same key.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string ConfigurationKey = "OpenAI:ApiKey";

    /// <summary>
    /// Calls per invocation. One call of the hot path is as short as BenchmarkDotNet's empty-method overhead, so every
    /// contender runs the same loop of calls and is reported per call (<c>OperationsPerInvoke</c>).
    /// </summary>
    private const int CallsPerInvoke = 100;

    private readonly string _key = BenchmarkKeys.Project('H');
    private TempDirectory? _directory;
    private IHost? _hostWithKeyInFile;
    private IHost? _hostWithKeyInEnvironment;
    private IOpenAIKeyProvider _provider = null!;
    private IConfiguration _configurationWithKeyInFile = null!;
    private IConfiguration _configurationWithKeyInEnvironment = null!;
    private IOptionsMonitor<OpenAISettings> _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory();
        File.WriteAllText(_directory.PathOf("appsettings.json"), $$"""
            {
              "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },
              "AllowedHosts": "*",
              "OpenAI": { "Model": "gpt-4o-mini", "ApiKey": "{{_key}}" }
            }
            """);

        // The json host is built while the environment variable is unset (in this process only, whatever the shell
        // has), so its key comes from appsettings.json.
        Environment.SetEnvironmentVariable("OpenAI__ApiKey", null);
        _hostWithKeyInFile = CreateHost(_directory.FullPath);
        _configurationWithKeyInFile = _hostWithKeyInFile.Services.GetRequiredService<IConfiguration>();

        // The usual production shape: the key arrives as an environment variable, which overrides appsettings.json.
        Environment.SetEnvironmentVariable(BenchmarkKeys.Variable, _key);
        Environment.SetEnvironmentVariable("OpenAI__ApiKey", _key);
        _hostWithKeyInEnvironment = CreateHost(_directory.FullPath);
        _configurationWithKeyInEnvironment = _hostWithKeyInEnvironment.Services.GetRequiredService<IConfiguration>();
        _options = _hostWithKeyInEnvironment.Services.GetRequiredService<IOptionsMonitor<OpenAISettings>>();
        _provider = _hostWithKeyInEnvironment.Services.GetRequiredService<IOpenAIKeyProvider>();

        // Warm everything, and prove that each contender answers the same key (no benchmark of a miss).
        var loaded = _provider.GetKeyAsync().AsTask().GetAwaiter().GetResult();
        Expect(loaded.Value, nameof(KeyVaulting_GetKeyAsync));
        Expect(Environment_GetEnvironmentVariable(), nameof(Environment_GetEnvironmentVariable));
        Expect(IConfiguration_KeyInEnvironment(), nameof(IConfiguration_KeyInEnvironment));
        Expect(IConfiguration_KeyInAppSettings(), nameof(IConfiguration_KeyInAppSettings));
        Expect(IOptionsMonitor_CurrentValue(), nameof(IOptionsMonitor_CurrentValue));
        Expect(KeyVaulting_GetKeyAsync().Value, nameof(KeyVaulting_GetKeyAsync));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hostWithKeyInEnvironment?.Dispose();
        _hostWithKeyInFile?.Dispose();
        _directory?.Dispose();
    }

    /// <summary>
    /// The hot path. The ValueTask is already completed, so it is consumed synchronously: no state machine.
    /// </summary>
    /// <returns>The current key.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke)]
    public OpenAIKey KeyVaulting_GetKeyAsync()
    {
        var provider = _provider;
        OpenAIKey key = null!;
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            key = provider.GetKeyAsync().Result;
        }

        return key;
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public string? Environment_GetEnvironmentVariable()
    {
        string? key = null;
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            key = Environment.GetEnvironmentVariable(BenchmarkKeys.Variable);
        }

        return key;
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public string? IConfiguration_KeyInEnvironment() => ReadConfiguration(_configurationWithKeyInEnvironment);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public string? IConfiguration_KeyInAppSettings() => ReadConfiguration(_configurationWithKeyInFile);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public string? IOptionsMonitor_CurrentValue()
    {
        var options = _options;
        string? key = null;
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            key = options.CurrentValue.ApiKey;
        }

        return key;
    }

    private static string? ReadConfiguration(IConfiguration configuration)
    {
        string? key = null;
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            key = configuration[ConfigurationKey];
        }

        return key;
    }

    private IHost CreateHost(string contentRoot)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = ["--urls", "http://127.0.0.1:0"],
            ContentRootPath = contentRoot,
            EnvironmentName = Environments.Production,
        });
        builder.Services.Configure<OpenAISettings>(builder.Configuration.GetSection("OpenAI"));
        builder.Services.AddOpenAIKeyProvider().AddSource(new InMemoryKeySource(_key));
        return builder.Build();
    }

    private void Expect(string? actual, string contender)
    {
        if (!string.Equals(actual, _key, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{contender} did not return the benchmark key; the comparison would be meaningless.");
        }
    }

    /// <summary>The options class an application would bind its OpenAI settings to.</summary>
    public sealed class OpenAISettings
    {
        public string? Model { get; set; }

        public string? ApiKey { get; set; }
    }
}
