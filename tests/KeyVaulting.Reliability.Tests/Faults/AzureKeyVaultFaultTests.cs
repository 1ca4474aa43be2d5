using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Faults;

/// <summary>The fault matrix for Azure Key Vault, through the Azure SDK's SecretClient over HTTPS with its retries off.</summary>
public sealed class AzureKeyVaultFaultTests : StoreFaultTests
{
    protected override async Task<FakeStore> StartStoreAsync() => await AzureKeyVaultStore.StartAsync();
}
