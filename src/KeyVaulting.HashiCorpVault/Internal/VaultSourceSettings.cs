using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Validators;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>
/// The options of one source as the source uses them: valid, and completed from the Vault CLI's environment variables
/// (<c>VAULT_ADDR</c>, <c>VAULT_NAMESPACE</c>, <c>VAULT_CACERT</c>) when the source is created.
/// </summary>
internal sealed class VaultSourceSettings
{
    private VaultSourceSettings(string path, HashiCorpVaultKeySourceOptions options, Uri address, string? vaultNamespace, string? caCertificatePath)
    {
        Path = VaultPaths.TrimSlashes(path);
        IsOpenAI = options.IsOpenAIEngine;
        MountPoint = VaultPaths.TrimSlashes(options.EffectiveMountPoint);
        KvVersion = options.KvVersion;
        JsonField = options.JsonField;
        Version = options.Version;
        SkipTlsVerify = options.SkipTlsVerify;
        Auth = options.Auth;
        Address = address;
        Namespace = vaultNamespace;
        CaCertificatePath = caCertificatePath;
        SourceName = SourceNameOf(options);
        SecretPath = IsOpenAI ? VaultPaths.CredentialsPath(MountPoint, Path) : VaultPaths.SecretPath(MountPoint, Path, KvVersion);
    }

    public string Path { get; }

    public string MountPoint { get; }

    /// <summary>Gets a value indicating whether the OpenAI secrets plugin mints the key (a dynamic secret under a lease).</summary>
    public bool IsOpenAI { get; }

    public int KvVersion { get; }

    public string JsonField { get; }

    public int? Version { get; }

    public bool SkipTlsVerify { get; }

    public VaultAuthMethod Auth { get; }

    public Uri Address { get; }

    public string? Namespace { get; }

    public string? CaCertificatePath { get; }

    /// <summary>Gets the source's name: <c>HashiCorpVault:{mount}/{path}</c>.</summary>
    public string SourceName { get; }

    /// <summary>Gets the API path read, which a policy must grant <c>read</c> on: <c>secret/data/openai</c>, <c>secret/openai</c> or <c>openai/creds/my-app</c>.</summary>
    public string SecretPath { get; }

    /// <summary>Gets the source's name for options: <c>HashiCorpVault:{mount}/{path}</c>, or <c>HashiCorpVault:{mount}/creds/{role}</c> for the OpenAI engine.</summary>
    public static string SourceNameOf(HashiCorpVaultKeySourceOptions options)
        => options.IsOpenAIEngine
            ? SourceNameOf(options.EffectiveMountPoint, "creds/" + VaultPaths.TrimSlashes(options.Path ?? string.Empty))
            : SourceNameOf(options.MountPoint, options.Path ?? string.Empty);

    public static string SourceNameOf(string mountPoint, string path)
        => $"{VaultDefaults.TypeName}:{VaultPaths.TrimSlashes(mountPoint ?? string.Empty)}/{VaultPaths.TrimSlashes(path ?? string.Empty)}";

    /// <summary>Checks the settings and completes the unset ones from the environment.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid or missing; the message names the source, the setting and the fix.</exception>
    public static VaultSourceSettings Resolve(HashiCorpVaultKeySourceOptions options)
    {
        var path = options.Path!;
        var sourceName = SourceNameOf(options);
        var problems = new List<string>();

        var address = options.Address;
        if (address is null)
        {
            var variable = Environment.GetEnvironmentVariable(VaultDefaults.AddressVariable);
            if (string.IsNullOrWhiteSpace(variable))
            {
                problems.Add($"no Vault address: set Address, or the {VaultDefaults.AddressVariable} environment variable, for example to https://vault.example.com:8200");
            }
            else if (!Uri.TryCreate(variable.Trim(), UriKind.Absolute, out address) || !HashiCorpVaultKeySourceOptionsCustomValidator.IsHttp(address))
            {
                address = null;
                problems.Add($"the {VaultDefaults.AddressVariable} environment variable is not an absolute http:// or https:// address");
            }
            else if (address.UserInfo.Length > 0)
            {
                address = null;
                problems.Add(HashiCorpVaultKeySourceOptionsCustomValidator.UserInfoProblem($"the {VaultDefaults.AddressVariable} environment variable"));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{sourceName} is not configured correctly: {string.Join("; ", problems)}.");
        }

        var vaultNamespace = options.Namespace ?? Environment.GetEnvironmentVariable(VaultDefaults.NamespaceVariable);
        vaultNamespace = string.IsNullOrWhiteSpace(vaultNamespace) ? null : VaultPaths.TrimSlashes(vaultNamespace);
        if (vaultNamespace is { Length: 0 })
        {
            vaultNamespace = null;
        }

        var caCertificatePath = options.CaCertificatePath ?? Environment.GetEnvironmentVariable(VaultDefaults.CaCertificateVariable);
        caCertificatePath = string.IsNullOrWhiteSpace(caCertificatePath) ? null : caCertificatePath.Trim();

        return new VaultSourceSettings(path, options, address!, vaultNamespace, caCertificatePath);
    }
}
