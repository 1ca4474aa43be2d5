using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Faults;

/// <summary>The fault matrix for HashiCorp Vault, through its HTTP API over plain HTTP on 127.0.0.1 with token auth.</summary>
public sealed class HashiCorpVaultFaultTests : StoreFaultTests
{
    protected override async Task<FakeStore> StartStoreAsync() => await HashiCorpVaultStore.StartAsync();
}
