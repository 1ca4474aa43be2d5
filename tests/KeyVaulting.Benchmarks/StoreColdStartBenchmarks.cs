using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 5 for the store packages: time to the first key against a minimal local fake on 127.0.0.1,
/// with a fresh container and provider on every call (as in <see cref="ColdStartBenchmarks"/>). AWS Secrets Manager
/// and HashiCorp Vault run over plain HTTP on loopback; Azure Key Vault needs HTTPS and is not measured yet.
/// </summary>
[MemoryDiagnoser]
public class StoreColdStartBenchmarks
{
    private readonly string _key = BenchmarkKeys.Project('T');
    private readonly string _vaultToken = "test-token-" + Guid.NewGuid();
    private readonly BasicAWSCredentials _awsCredentials = new("TESTACCESS" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "test-secret-" + Guid.NewGuid());
    private FixedJsonServer? _aws;
    private FixedJsonServer? _vault;

    [GlobalSetup]
    public void Setup()
    {
        _aws = FixedJsonServer.StartAsync(
            $$"""{"ARN":"arn:aws:secretsmanager:us-east-1:000000000000:secret:openai-AbCdEf","Name":"openai","SecretString":"{{_key}}","VersionId":"v1","VersionStages":["AWSCURRENT"],"CreatedDate":1.7E9}""",
            "application/x-amz-json-1.1").GetAwaiter().GetResult();
        _vault = FixedJsonServer.StartAsync(
            $$$"""{"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"api_key":"{{{_key}}}"},"metadata":{"created_time":"2026-01-01T00:00:00Z","deletion_time":"","destroyed":false,"version":1}},"warnings":null}""")
            .GetAwaiter().GetResult();

        Expect(AwsSecretsManager().GetAwaiter().GetResult());
        Expect(HashiCorpVault().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aws?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _vault?.DisposeAsync().AsTask().GetAwaiter().GetResult();
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

    private void Expect(OpenAIKey key)
    {
        if (!string.Equals(key.Value, _key, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The cold start did not load the benchmark key.");
        }
    }
}
