using KeyVaulting.Testing;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 4 (forced path) for the store packages: from a change in the store to the first
/// <see cref="IOpenAIKeyProvider.GetKeyAsync"/> that returns the new key, through
/// <see cref="IOpenAIKeyProvider.RefreshAsync"/>, on a warm provider (client built, connection open, Azure's challenge
/// and token known). Each store is a local fake on 127.0.0.1 that serves the other of two keys, under the other
/// version, after every rotation. <see cref="OpenAIKeyProviderOptions.MinimumRefreshInterval"/> is 0 so that no call
/// is answered from the rate limit.
/// </summary>
[MemoryDiagnoser]
public class StoreRotationLatencyBenchmarks
{
    private readonly InMemoryKeySource _memory = new();
    private readonly RotatingKey _awsKey = new('E', 'F');
    private readonly RotatingKey _vaultKey = new('G', 'H');
    private readonly RotatingKey _azureKey = new('J', 'K');
    private readonly BasicAWSCredentials _awsCredentials = new("TESTACCESS" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "test-secret-" + Guid.NewGuid());
    private readonly string _vaultToken = "test-token-" + Guid.NewGuid();
    private LocalServer? _aws;
    private LocalServer? _vault;
    private LocalKeyVault? _azure;
    private HttpClient? _azureHttpClient;
    private ServiceProvider? _services;
    private IOpenAIKeyProvider _memoryProvider = null!;
    private IOpenAIKeyProvider _awsProvider = null!;
    private IOpenAIKeyProvider _vaultProvider = null!;
    private IOpenAIKeyProvider _azureProvider = null!;

    [GlobalSetup]
    public void Setup()
    {
        _aws = RotatingJsonServer.StartAsync(_awsKey, StoreAnswers.AwsSecretsManager, StoreAnswers.AwsContentType).GetAwaiter().GetResult();
        _vault = RotatingJsonServer.StartAsync(_vaultKey, StoreAnswers.HashiCorpVault).GetAwaiter().GetResult();
        _azure = LocalKeyVault.StartAsync(_azureKey).GetAwaiter().GetResult();
        var azureClientOptions = _azure.ConfigureClientOptions(out _azureHttpClient);

        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider("memory", NoRateLimit).AddSource(_memory);
        services.AddOpenAIKeyProvider("aws", NoRateLimit).AddAwsSecretsManager("openai", o =>
        {
            o.ServiceUrl = _aws.Address;
            o.Region = "us-east-1";
            o.Credentials = _awsCredentials;
        });
        services.AddOpenAIKeyProvider("vault", NoRateLimit).AddHashiCorpVault("openai", o =>
        {
            o.Address = _vault.Address;
            o.UseToken(_vaultToken);
        });
        services.AddOpenAIKeyProvider("azure", NoRateLimit).AddAzureKeyVault(_azure.VaultUri, "openai", o =>
        {
            o.Credential = _azure.Credential;
            o.ConfigureClientOptions = azureClientOptions;
        });
        _services = services.BuildServiceProvider();
        _memoryProvider = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("memory");
        _awsProvider = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("aws");
        _vaultProvider = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("vault");
        _azureProvider = _services.GetRequiredKeyedService<IOpenAIKeyProvider>("azure");

        // Warm: the first key, then one rotation each, checked.
        foreach (var provider in new[] { _memoryProvider, _awsProvider, _vaultProvider, _azureProvider })
        {
            _ = provider.GetKeyAsync().AsTask().GetAwaiter().GetResult();
        }

        _ = RefreshAsync_InMemorySource().GetAwaiter().GetResult();
        _ = RefreshAsync_AwsSecretsManager().GetAwaiter().GetResult();
        _ = RefreshAsync_HashiCorpVault().GetAwaiter().GetResult();
        _ = RefreshAsync_AzureKeyVault().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _azureHttpClient?.Dispose();
        _aws?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _vault?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _azure?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The provider's own cost, without a store: the same as <see cref="RotationLatencyBenchmarks"/>'s baseline.</summary>
    [Benchmark(Baseline = true)]
    public Task<OpenAIKey> RefreshAsync_InMemorySource() => RotateAsync(_memoryProvider, _memory.Rotate());

    [Benchmark]
    public Task<OpenAIKey> RefreshAsync_AwsSecretsManager() => RotateAsync(_awsProvider, _awsKey.Rotate());

    [Benchmark]
    public Task<OpenAIKey> RefreshAsync_HashiCorpVault() => RotateAsync(_vaultProvider, _vaultKey.Rotate());

    [Benchmark]
    public Task<OpenAIKey> RefreshAsync_AzureKeyVault() => RotateAsync(_azureProvider, _azureKey.Rotate());

    private static void NoRateLimit(OpenAIKeyProviderOptions options) => options.MinimumRefreshInterval = TimeSpan.Zero;

    private static async Task<OpenAIKey> RotateAsync(IOpenAIKeyProvider provider, string expected)
    {
        await provider.RefreshAsync().ConfigureAwait(false);
        var key = provider.GetKeyAsync().Result;
        return string.Equals(key.Value, expected, StringComparison.Ordinal)
            ? key
            : throw new InvalidOperationException("GetKeyAsync did not return the store's new key after RefreshAsync.");
    }
}
