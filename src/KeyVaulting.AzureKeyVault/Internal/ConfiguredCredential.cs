using Azure.Core;
using Azure.Identity;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// The Azure.Identity credential that <see cref="AzureKeyVaultKeySourceOptions.CredentialType"/> selects, and the
/// check that only the settings it uses are set.
/// </summary>
/// <remarks>
/// Microsoft.Extensions.Azure's <c>AzureComponentFactory</c> builds credentials from configuration too, but only with
/// the client secret written in configuration (<c>clientSecret</c>), which KeyVaulting refuses; it falls back silently
/// on an unknown <c>credential</c> value and knows no Azure CLI credential. So KeyVaulting keeps this small mapping,
/// which reads the client secret from the environment variable that configuration names.
/// </remarks>
internal static class ConfiguredCredential
{
    public const string Default = "Default";
    public const string ManagedIdentity = "ManagedIdentity";
    public const string WorkloadIdentity = "WorkloadIdentity";
    public const string AzureCli = "AzureCli";
    public const string ClientSecret = "ClientSecret";

    private static readonly string[] Types = [Default, ManagedIdentity, WorkloadIdentity, AzureCli, ClientSecret];

    /// <summary>The settings each credential type uses; any other credential setting is an error.</summary>
    private static readonly Dictionary<string, string[]> Uses = new(StringComparer.OrdinalIgnoreCase)
    {
        [Default] = [nameof(AzureKeyVaultKeySourceOptions.ManagedIdentityClientId), nameof(AzureKeyVaultKeySourceOptions.TenantId)],
        [ManagedIdentity] = [nameof(AzureKeyVaultKeySourceOptions.ManagedIdentityClientId)],
        [WorkloadIdentity] = [nameof(AzureKeyVaultKeySourceOptions.TenantId), nameof(AzureKeyVaultKeySourceOptions.ClientId)],
        [AzureCli] = [nameof(AzureKeyVaultKeySourceOptions.TenantId)],
        [ClientSecret] = [nameof(AzureKeyVaultKeySourceOptions.TenantId), nameof(AzureKeyVaultKeySourceOptions.ClientId), nameof(AzureKeyVaultKeySourceOptions.ClientSecretEnvironmentVariable)],
    };

    /// <summary>Says what is wrong with the credential settings, or returns null.</summary>
    public static string? Problem(AzureKeyVaultKeySourceOptions options)
    {
        var set = SetSettings(options).ToList();
        if (options.Credential is not null)
        {
            return options.CredentialType is not null || set.Count > 0
                ? $"{options.CredentialType switch { null => set[0], _ => nameof(options.CredentialType) }} has no effect: Credential is set in code. Remove it, or leave Credential unset to choose the credential by CredentialType."
                : null;
        }

        if (Type(options) is not { } type)
        {
            return $"CredentialType must be one of {string.Join(", ", Types)}. Use Default unless you need a specific credential.";
        }

        if (set.FirstOrDefault(s => !Uses[type].Contains(s)) is { } unused)
        {
            return $"{unused} is not used by CredentialType {type} (it uses {string.Join(", ", Uses[type])}). Remove it or choose another CredentialType.";
        }

        if (type == ClientSecret && Uses[ClientSecret].FirstOrDefault(s => !set.Contains(s)) is { } missing)
        {
            return $"{missing} is required with CredentialType ClientSecret. Set TenantId, ClientId and ClientSecretEnvironmentVariable (the name of the environment variable that holds the client secret).";
        }

        return null;
    }

    /// <summary>Creates the credential of valid options.</summary>
    /// <param name="options">The options, valid.</param>
    /// <param name="where">Where the settings come from, for messages: a configuration path or the source's name.</param>
    /// <exception cref="InvalidOperationException">The client secret's environment variable is not set.</exception>
    public static TokenCredential Create(AzureKeyVaultKeySourceOptions options, string where)
    {
        if (options.Credential is { } credential)
        {
            return credential;
        }

        return Type(options) switch
        {
            ManagedIdentity => new ManagedIdentityCredential(options.ManagedIdentityClientId is { } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned),

            WorkloadIdentity => CreateWorkloadIdentity(options),
            AzureCli => new AzureCliCredential(new AzureCliCredentialOptions { TenantId = options.TenantId }),
            ClientSecret => new ClientSecretCredential(options.TenantId, options.ClientId, ReadClientSecret(options.ClientSecretEnvironmentVariable!, where)),
            _ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = options.ManagedIdentityClientId,
                TenantId = options.TenantId,
            }),
        };
    }

    private static WorkloadIdentityCredential CreateWorkloadIdentity(AzureKeyVaultKeySourceOptions options)
    {
        // Unset values come from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE, which the AKS
        // workload identity webhook sets.
        var credentialOptions = new WorkloadIdentityCredentialOptions();
        if (options.TenantId is not null)
        {
            credentialOptions.TenantId = options.TenantId;
        }

        if (options.ClientId is not null)
        {
            credentialOptions.ClientId = options.ClientId;
        }

        return new WorkloadIdentityCredential(credentialOptions);
    }

    private static string? Type(AzureKeyVaultKeySourceOptions options)
        => Types.FirstOrDefault(t => string.Equals(t, options.CredentialType ?? Default, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> SetSettings(AzureKeyVaultKeySourceOptions options)
    {
        (string Name, string? Value)[] settings =
        [
            (nameof(options.ManagedIdentityClientId), options.ManagedIdentityClientId),
            (nameof(options.TenantId), options.TenantId),
            (nameof(options.ClientId), options.ClientId),
            (nameof(options.ClientSecretEnvironmentVariable), options.ClientSecretEnvironmentVariable),
        ];
        return settings.Where(s => !string.IsNullOrWhiteSpace(s.Value)).Select(s => s.Name);
    }

    private static string ReadClientSecret(string variable, string where)
    {
        var secret = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(secret)
            ? throw new InvalidOperationException(
                $"{where}: ClientSecretEnvironmentVariable names the environment variable {variable}, which is {(secret is null ? "not set" : "empty")}. " +
                "Set it to the application's client secret (never put the secret itself in configuration).")
            : secret;
    }
}
