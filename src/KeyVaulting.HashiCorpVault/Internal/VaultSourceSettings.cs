using KeyVaulting.HashiCorpVault.Internal.Auth;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>
/// The settings of one source, checked and completed from the Vault CLI's environment variables
/// (<c>VAULT_ADDR</c>, <c>VAULT_NAMESPACE</c>, <c>VAULT_CACERT</c>) when the source is created.
/// </summary>
internal sealed class VaultSourceSettings
{
    private VaultSourceSettings(string path, HashiCorpVaultKeySourceOptions options, Uri address, string? vaultNamespace, string? caCertificatePath)
    {
        Path = VaultPaths.TrimSlashes(path);
        MountPoint = VaultPaths.TrimSlashes(options.MountPoint);
        KvVersion = options.KvVersion;
        Field = options.Field;
        Version = options.Version;
        SkipTlsVerify = options.SkipTlsVerify;
        Auth = options.Auth;
        Address = address;
        Namespace = vaultNamespace;
        CaCertificatePath = caCertificatePath;
        SourceName = SourceNameOf(MountPoint, Path);
        SecretPath = VaultPaths.SecretPath(MountPoint, Path, KvVersion);
    }

    public string Path { get; }

    public string MountPoint { get; }

    public int KvVersion { get; }

    public string Field { get; }

    public int? Version { get; }

    public bool SkipTlsVerify { get; }

    public VaultAuthMethod Auth { get; }

    public Uri Address { get; }

    public string? Namespace { get; }

    public string? CaCertificatePath { get; }

    /// <summary>Gets the source's name: <c>HashiCorpVault:{mount}/{path}</c>.</summary>
    public string SourceName { get; }

    /// <summary>Gets the API path read, which a policy must grant <c>read</c> on: <c>secret/data/openai</c> or <c>secret/openai</c>.</summary>
    public string SecretPath { get; }

    public static string SourceNameOf(string mountPoint, string path)
        => $"{VaultDefaults.TypeName}:{VaultPaths.TrimSlashes(mountPoint ?? string.Empty)}/{VaultPaths.TrimSlashes(path ?? string.Empty)}";

    /// <summary>Lists what is wrong with the settings that do not depend on the environment; empty when all is well.</summary>
    public static List<string> Problems(string? path, HashiCorpVaultKeySourceOptions options)
    {
        var problems = new List<string>();
        if (PathProblem(path) is { } pathProblem)
        {
            problems.Add(pathProblem);
        }

        var mountProblem = string.IsNullOrWhiteSpace(options.MountPoint) ? "it is empty" : VaultPaths.Problem(options.MountPoint);
        if (mountProblem is not null)
        {
            problems.Add($"MountPoint is not usable: {mountProblem}; give the KV engine's mount path, for example 'secret'");
        }

        if (options.KvVersion is not (1 or 2))
        {
            problems.Add("KvVersion must be 1 or 2 (the version of the KV secrets engine; 'vault secrets list -detailed' shows it)");
        }

        if (string.IsNullOrWhiteSpace(options.Field))
        {
            problems.Add("Field is empty; give the secret's field that holds the key, for example 'api_key'");
        }

        if (options.Version is { } version)
        {
            if (version < 1)
            {
                problems.Add("Version must be 1 or more (or unset, to read the latest version)");
            }

            if (options.KvVersion == 1)
            {
                problems.Add("Version is set but KvVersion is 1: only KV version 2 keeps versions; unset Version or use KvVersion 2");
            }
        }

        if (options.Address is { } address && !IsHttp(address))
        {
            problems.Add("Address must be an absolute http:// or https:// address, for example https://vault.example.com:8200");
        }
        else if (options.Address is { UserInfo.Length: > 0 })
        {
            // The value is not repeated: user information is a credential.
            problems.Add(UserInfoProblem("Address"));
        }

        return problems;
    }

    /// <summary>Says what is wrong with the secret's path, or returns null when it is usable.</summary>
    public static string? PathProblem(string? path)
    {
        var problem = string.IsNullOrWhiteSpace(path) ? "it is empty" : VaultPaths.Problem(path);
        return problem is null ? null : $"the secret path is not usable: {problem}; give the path inside the mount, for example 'openai'";
    }

    /// <summary>Checks the settings and completes the unset ones from the environment.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid or missing; the message names the source, the setting and the fix.</exception>
    public static VaultSourceSettings Resolve(string path, HashiCorpVaultKeySourceOptions options)
    {
        var sourceName = SourceNameOf(options.MountPoint, path);
        var problems = Problems(path, options);

        var address = options.Address;
        if (address is null)
        {
            var variable = Environment.GetEnvironmentVariable(VaultDefaults.AddressVariable);
            if (string.IsNullOrWhiteSpace(variable))
            {
                problems.Add($"no Vault address: set Address, or the {VaultDefaults.AddressVariable} environment variable, for example to https://vault.example.com:8200");
            }
            else if (!Uri.TryCreate(variable.Trim(), UriKind.Absolute, out address) || !IsHttp(address))
            {
                address = null;
                problems.Add($"the {VaultDefaults.AddressVariable} environment variable is not an absolute http:// or https:// address");
            }
            else if (address.UserInfo.Length > 0)
            {
                address = null;
                problems.Add(UserInfoProblem($"the {VaultDefaults.AddressVariable} environment variable"));
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

    private static string UserInfoProblem(string setting)
        => $"{setting} contains user information (user:password@), which would be repeated in messages, logs and the health check; remove it: Vault authenticates with a token, never with a password in its address";

    private static bool IsHttp(Uri address)
        => address.IsAbsoluteUri && (address.Scheme == Uri.UriSchemeHttps || address.Scheme == Uri.UriSchemeHttp);
}
