using Azure.Core;
using Azure.Identity;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// Builds the Azure.Identity credential that configuration selects with <c>Credential</c>, checking that only the
/// settings the credential uses are present.
/// </summary>
internal static class ConfiguredCredential
{
    public const string Default = "Default";
    public const string ManagedIdentity = "ManagedIdentity";
    public const string WorkloadIdentity = "WorkloadIdentity";
    public const string AzureCli = "AzureCli";
    public const string ClientSecret = "ClientSecret";

    private static readonly string[] Kinds = [Default, ManagedIdentity, WorkloadIdentity, AzureCli, ClientSecret];

    /// <summary>The settings each credential uses; any other credential setting is an error.</summary>
    private static readonly Dictionary<string, string[]> Uses = new(StringComparer.OrdinalIgnoreCase)
    {
        [Default] = [nameof(AzureKeyVaultSourceSettings.ManagedIdentityClientId), nameof(AzureKeyVaultSourceSettings.TenantId)],
        [ManagedIdentity] = [nameof(AzureKeyVaultSourceSettings.ManagedIdentityClientId)],
        [WorkloadIdentity] = [nameof(AzureKeyVaultSourceSettings.TenantId), nameof(AzureKeyVaultSourceSettings.ClientId)],
        [AzureCli] = [nameof(AzureKeyVaultSourceSettings.TenantId)],
        [ClientSecret] =
        [
            nameof(AzureKeyVaultSourceSettings.TenantId),
            nameof(AzureKeyVaultSourceSettings.ClientId),
            nameof(AzureKeyVaultSourceSettings.ClientSecretEnvironmentVariable),
        ],
    };

    /// <summary>Returns the credential settings that are set.</summary>
    public static IEnumerable<string> SetCredentialSettings(AzureKeyVaultSourceSettings settings)
    {
        if (settings.ManagedIdentityClientId is not null)
        {
            yield return nameof(settings.ManagedIdentityClientId);
        }

        if (settings.TenantId is not null)
        {
            yield return nameof(settings.TenantId);
        }

        if (settings.ClientId is not null)
        {
            yield return nameof(settings.ClientId);
        }

        if (settings.ClientSecretEnvironmentVariable is not null)
        {
            yield return nameof(settings.ClientSecretEnvironmentVariable);
        }
    }

    public static TokenCredential Create(AzureKeyVaultSourceSettings settings, string path)
    {
        var kind = Kinds.FirstOrDefault(k => string.Equals(k, settings.Credential ?? Default, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"Configuration '{path}:Credential' must be one of {string.Join(", ", Kinds)}. Use Default unless you need a specific credential.");

        var unused = SetCredentialSettings(settings).Where(s => !Uses[kind].Contains(s)).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidOperationException(
                $"Configuration '{path}:{unused[0]}' is not used by Credential {kind} (it uses {(Uses[kind].Length == 0 ? "no other setting" : string.Join(", ", Uses[kind]))}). Remove it or choose another Credential.");
        }

        return kind switch
        {
            ManagedIdentity => new ManagedIdentityCredential(settings.ManagedIdentityClientId is { } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned),
            WorkloadIdentity => CreateWorkloadIdentity(settings),
            AzureCli => new AzureCliCredential(new AzureCliCredentialOptions { TenantId = settings.TenantId }),
            ClientSecret => CreateClientSecret(settings, path),
            _ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = settings.ManagedIdentityClientId,
                TenantId = settings.TenantId,
            }),
        };
    }

    private static WorkloadIdentityCredential CreateWorkloadIdentity(AzureKeyVaultSourceSettings settings)
    {
        // Unset values come from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE, which the AKS
        // workload identity webhook sets.
        var options = new WorkloadIdentityCredentialOptions();
        if (settings.TenantId is not null)
        {
            options.TenantId = settings.TenantId;
        }

        if (settings.ClientId is not null)
        {
            options.ClientId = settings.ClientId;
        }

        return new WorkloadIdentityCredential(options);
    }

    private static ClientSecretCredential CreateClientSecret(AzureKeyVaultSourceSettings settings, string path)
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(settings.TenantId), settings.TenantId),
                     (nameof(settings.ClientId), settings.ClientId),
                     (nameof(settings.ClientSecretEnvironmentVariable), settings.ClientSecretEnvironmentVariable),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"Configuration '{path}:{name}' is required with Credential ClientSecret. " +
                    "Set TenantId, ClientId and ClientSecretEnvironmentVariable (the name of the environment variable that holds the client secret).");
            }
        }

        var variable = settings.ClientSecretEnvironmentVariable!;
        var secret = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(secret))
        {
            throw new InvalidOperationException(
                $"Configuration '{path}:ClientSecretEnvironmentVariable' names the environment variable {variable}, which is " +
                $"{(secret is null ? "not set" : "empty")}. Set it to the application's client secret (never put the secret itself in configuration).");
        }

        return new ClientSecretCredential(settings.TenantId, settings.ClientId, secret);
    }
}
