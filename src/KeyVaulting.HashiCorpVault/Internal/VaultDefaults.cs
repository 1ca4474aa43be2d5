namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>Defaults and fixed values of the HashiCorp Vault source, following the Vault CLI's conventions.</summary>
internal static class VaultDefaults
{
    public const string TypeName = "HashiCorpVault";
    public const string MountPoint = "secret";
    public const string OpenAIMountPoint = "openai";
    public const string KvEngine = "KV";
    public const string OpenAIEngine = "OpenAI";
    public const string JsonField = "api_key";
    public const string AppRoleMountPath = "approle";
    public const string KubernetesMountPath = "kubernetes";

    public const string AddressVariable = "VAULT_ADDR";
    public const string NamespaceVariable = "VAULT_NAMESPACE";
    public const string CaCertificateVariable = "VAULT_CACERT";
    public const string TokenVariable = "VAULT_TOKEN";
    public const string SkipVerifyVariable = "VAULT_SKIP_VERIFY";
    public const string TokenHelperFile = ".vault-token";

    /// <summary>The largest response body read from Vault; a KV secret holding an API key is far smaller.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>A token is renewed (or replaced) once this share of its TTL has passed.</summary>
    public const double RenewAtFractionOfTtl = 2.0 / 3.0;
}
