namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>Starts any of the three stores by name, for suites that run the same scenario against each.</summary>
public static class Stores
{
    public const string AzureKeyVault = "AzureKeyVault";
    public const string AwsSecretsManager = "AwsSecretsManager";
    public const string HashiCorpVault = "HashiCorpVault";

    public static readonly string[] All = [AzureKeyVault, AwsSecretsManager, HashiCorpVault];

    /// <summary>Starts the store; <paramref name="jsonField"/> configures the source's JsonField.</summary>
    public static async Task<FakeStore> StartAsync(string store, string? jsonField = null) => store switch
    {
        AzureKeyVault => await AzureKeyVaultStore.StartAsync(jsonField),
        AwsSecretsManager => await SecretsManagerStore.StartAsync(jsonField),
        HashiCorpVault => await HashiCorpVaultStore.StartAsync(jsonField),
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "Unknown store."),
    };
}
