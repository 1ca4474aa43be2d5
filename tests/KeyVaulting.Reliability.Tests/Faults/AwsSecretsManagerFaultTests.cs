using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Faults;

/// <summary>The fault matrix for AWS Secrets Manager, through its JSON protocol with SigV4 over plain HTTP on 127.0.0.1.</summary>
public sealed class AwsSecretsManagerFaultTests : StoreFaultTests
{
    protected override async Task<FakeStore> StartStoreAsync() => await SecretsManagerStore.StartAsync();
}
