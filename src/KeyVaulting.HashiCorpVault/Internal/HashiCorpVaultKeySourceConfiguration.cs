using System.ComponentModel.DataAnnotations;
using KeyVaulting.HashiCorpVault.Internal.Auth;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>
/// The configuration of a source with <c>Type: HashiCorpVault</c>. Credentials are never values here: settings name
/// the environment variable or file that holds the token, the <c>secret_id</c> or the service-account JWT.
/// </summary>
internal sealed class HashiCorpVaultKeySourceConfiguration
{
    /// <summary>The keys that would put a credential in configuration; they are refused with a clear message.</summary>
    public static readonly string[] ForbiddenSecretKeys = ["Token", "ClientToken", "SecretId", "Jwt", "Password"];

    public static readonly string[] AuthMethods = ["Token", "AppRole", "Kubernetes"];

    /// <summary>Gets or sets the secret's path inside the mount, for example <c>openai</c>.</summary>
    [Required]
    public string Path { get; set; } = string.Empty;

    public string? Address { get; set; }

    public string? Namespace { get; set; }

    public string MountPoint { get; set; } = VaultDefaults.MountPoint;

    [Range(1, 2)]
    public int KvVersion { get; set; } = 2;

    public string Field { get; set; } = VaultDefaults.Field;

    [Range(1, int.MaxValue)]
    public int? Version { get; set; }

    public string? CaCertificatePath { get; set; }

    public bool SkipTlsVerify { get; set; }

    /// <summary>Gets or sets the auth method: <c>Token</c> (default), <c>AppRole</c> or <c>Kubernetes</c>.</summary>
    public string AuthMethod { get; set; } = "Token";

    /// <summary>Gets or sets where the login auth method is enabled; default <c>approle</c> or <c>kubernetes</c>.</summary>
    public string? AuthMountPath { get; set; }

    /// <summary>Gets or sets the environment variable that holds the token (Token).</summary>
    public string? TokenVariable { get; set; }

    /// <summary>Gets or sets the file that holds the token (Token).</summary>
    public string? TokenFile { get; set; }

    /// <summary>Gets or sets the AppRole's <c>role_id</c> (AppRole); an identifier, not a credential.</summary>
    public string? RoleId { get; set; }

    /// <summary>Gets or sets the environment variable that holds the <c>secret_id</c> (AppRole).</summary>
    public string? SecretIdVariable { get; set; }

    /// <summary>Gets or sets the file that holds the <c>secret_id</c> (AppRole).</summary>
    public string? SecretIdFile { get; set; }

    /// <summary>Gets or sets the Vault role bound to the service account (Kubernetes).</summary>
    public string? Role { get; set; }

    /// <summary>Gets or sets the service-account token file (Kubernetes).</summary>
    public string? JwtPath { get; set; }

    /// <summary>Converts to options, checking that the auth settings fit the auth method.</summary>
    /// <param name="path">The configuration path of the source, for messages.</param>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it and the fix.</exception>
    public HashiCorpVaultKeySourceOptions ToOptions(string path)
    {
        Uri? address = null;
        if (!string.IsNullOrWhiteSpace(Address) && !Uri.TryCreate(Address.Trim(), UriKind.Absolute, out address))
        {
            throw new InvalidOperationException($"Configuration '{path}:Address' is not an absolute http:// or https:// address, for example https://vault.example.com:8200.");
        }

        var options = new HashiCorpVaultKeySourceOptions
        {
            Address = address,
            Namespace = Namespace,
            MountPoint = MountPoint,
            KvVersion = KvVersion,
            Field = Field,
            Version = Version,
            CaCertificatePath = CaCertificatePath,
            SkipTlsVerify = SkipTlsVerify,
        };

        var method = AuthMethods.FirstOrDefault(m => string.Equals(m, AuthMethod?.Trim(), StringComparison.OrdinalIgnoreCase));
        var problems = new List<string>();
        switch (method)
        {
            case "Token":
                Unused(problems, method, (nameof(RoleId), RoleId), (nameof(SecretIdVariable), SecretIdVariable), (nameof(SecretIdFile), SecretIdFile), (nameof(Role), Role), (nameof(JwtPath), JwtPath), (nameof(AuthMountPath), AuthMountPath));
                if (Set(TokenVariable) && Set(TokenFile))
                {
                    problems.Add($"set only one of TokenVariable and TokenFile");
                }

                options.SetAuth(new TokenAuthMethod(
                    Set(TokenVariable) ? TokenSource.FromVariable(TokenVariable!.Trim())
                    : Set(TokenFile) ? TokenSource.FromFile(TokenFile!.Trim())
                    : TokenSource.Default));
                break;

            case "AppRole":
                Unused(problems, method, (nameof(TokenVariable), TokenVariable), (nameof(TokenFile), TokenFile), (nameof(Role), Role), (nameof(JwtPath), JwtPath));
                if (!Set(RoleId))
                {
                    problems.Add("AuthMethod AppRole needs RoleId (the role's role_id)");
                }

                if (Set(SecretIdVariable) == Set(SecretIdFile))
                {
                    problems.Add("AuthMethod AppRole needs exactly one of SecretIdVariable (an environment variable that holds the secret_id) and SecretIdFile (a file that holds it)");
                }

                if (problems.Count == 0)
                {
                    var secretId = Set(SecretIdFile)
                        ? SecretReference.File(SecretIdFile!.Trim(), "secret_id")
                        : SecretReference.Variable(SecretIdVariable!.Trim(), "secret_id");
                    options.SetAuth(new AppRoleAuthMethod(RoleId!.Trim(), secretId, MountPath(VaultDefaults.AppRoleMountPath)));
                }

                break;

            case "Kubernetes":
                Unused(problems, method, (nameof(TokenVariable), TokenVariable), (nameof(TokenFile), TokenFile), (nameof(RoleId), RoleId), (nameof(SecretIdVariable), SecretIdVariable), (nameof(SecretIdFile), SecretIdFile));
                if (!Set(Role))
                {
                    problems.Add("AuthMethod Kubernetes needs Role (the Vault role bound to the service account)");
                }
                else
                {
                    var jwt = SecretReference.File(Set(JwtPath) ? JwtPath!.Trim() : HashiCorpVaultKeySourceOptions.DefaultKubernetesJwtPath, "service-account token");
                    options.SetAuth(new KubernetesAuthMethod(Role!.Trim(), jwt, MountPath(VaultDefaults.KubernetesMountPath)));
                }

                break;

            default:
                problems.Add($"AuthMethod must be one of {string.Join(", ", AuthMethods)}");
                break;
        }

        problems.AddRange(VaultSourceSettings.Problems(Path, options));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Configuration '{path}' is not valid: {string.Join("; ", problems)}.");
        }

        return options;
    }

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);

    private static void Unused(List<string> problems, string method, params (string Name, string? Value)[] settings)
    {
        foreach (var (name, value) in settings)
        {
            if (Set(value))
            {
                problems.Add($"{name} does not apply to AuthMethod {method}; remove it or change AuthMethod");
            }
        }
    }

    private string MountPath(string defaultPath)
        => Set(AuthMountPath) ? VaultPaths.TrimSlashes(AuthMountPath!) : defaultPath;
}
