using KeyVaulting.Testing;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 5 for the store packages: time to the first key against a minimal local fake on 127.0.0.1,
/// with a fresh container and provider on every call (as in <see cref="ColdStartBenchmarks"/>). AWS Secrets Manager
/// and HashiCorp Vault run over plain HTTP on loopback; Azure Key Vault over HTTPS (its SDK requires it), with Key
/// Vault's bearer challenge.
/// </summary>
[MemoryDiagnoser]
public class StoreColdStartBenchmarks
{
    private readonly string _key = BenchmarkKeys.Project('T');
    private readonly string _vaultToken = "test-token-" + Guid.NewGuid();
    private readonly BasicAWSCredentials _awsCredentials = new("TESTACCESS" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "test-secret-" + Guid.NewGuid());
    private LocalServer? _aws;
    private LocalServer? _vault;
    private LocalKeyVault? _azure;

    [GlobalSetup]
    public void Setup()
    {
        _aws = FixedJsonServer.StartAsync(StoreAnswers.AwsSecretsManager(_key, 1), StoreAnswers.AwsContentType).GetAwaiter().GetResult();
        _vault = FixedJsonServer.StartAsync(StoreAnswers.HashiCorpVault(_key, 1)).GetAwaiter().GetResult();
        _azure = LocalKeyVault.StartAsync(new RotatingKey('T', 'U')).GetAwaiter().GetResult();

        Expect(AwsSecretsManager().GetAwaiter().GetResult(), _key);
        Expect(HashiCorpVault().GetAwaiter().GetResult(), _key);

        // The cold start really goes through the challenge: one 401, then one authenticated read.
        var (challenges, reads) = (_azure.Challenges, _azure.Reads);
        Expect(AzureKeyVault().GetAwaiter().GetResult(), _azure.Key.Current.Value);
        ExpectRequests(challenges + 1, reads + 1);

        // With the challenge known to the process, the first request is the authenticated read.
        (challenges, reads) = (_azure.Challenges, _azure.Reads);
        Expect(AzureKeyVault_ChallengeKnown().GetAwaiter().GetResult(), _azure.Key.Current.Value);
        ExpectRequests(challenges, reads + 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aws?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _vault?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _azure?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<OpenAIKey> AwsSecretsManager()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddAwsSecretsManager("openai", o =>
        {
            o.ServiceUrl = _aws!.Address;
            o.Region = "us-east-1";
            o.Credentials = _awsCredentials;
        });
        await using var container = services.BuildServiceProvider();
        return await container.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().ConfigureAwait(false);
    }

    [Benchmark]
    public async Task<OpenAIKey> HashiCorpVault()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
        {
            o.Address = _vault!.Address;
            o.UseToken(_vaultToken);
        });
        await using var container = services.BuildServiceProvider();
        return await container.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// As in a new process: the Azure SDK's process-wide challenge cache is emptied first, so the read is preceded by
    /// an unauthenticated request and Key Vault's 401 challenge (on the same new TLS connection).
    /// </summary>
    [Benchmark]
    public Task<OpenAIKey> AzureKeyVault()
    {
        LocalKeyVault.ForgetChallenges();
        return AzureKeyVaultFirstKeyAsync();
    }

    /// <summary>
    /// A second provider in a process that has already talked to this vault: the SDK reuses the cached challenge,
    /// so the first request is the authenticated read (still on a new TLS connection).
    /// </summary>
    [Benchmark]
    public Task<OpenAIKey> AzureKeyVault_ChallengeKnown() => AzureKeyVaultFirstKeyAsync();

    private async Task<OpenAIKey> AzureKeyVaultFirstKeyAsync()
    {
        var clientOptions = _azure!.ConfigureClientOptions(out var httpClient);
        using (httpClient)
        {
            var services = new ServiceCollection();
            services.AddOpenAIKeyProvider().AddAzureKeyVault(_azure.VaultUri, "openai", o =>
            {
                o.Credential = _azure.Credential;
                o.ConfigureClientOptions = clientOptions;
            });
            await using var container = services.BuildServiceProvider();
            return await container.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().ConfigureAwait(false);
        }
    }

    private void ExpectRequests(int challenges, int reads)
    {
        if (_azure!.Challenges != challenges || _azure.Reads != reads)
        {
            throw new InvalidOperationException(
                $"The local Key Vault expected {challenges} challenge(s) and {reads} read(s) in total, but saw {_azure.Challenges} and {_azure.Reads}.");
        }
    }

    private static void Expect(OpenAIKey key, string expected)
    {
        if (!string.Equals(key.Value, expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The cold start did not load the benchmark key.");
        }
    }
}
