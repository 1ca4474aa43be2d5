namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>
/// The auth methods that <see cref="HashiCorpVaultKeySourceOptions.AuthMethod"/> names, the settings each uses, and
/// the <see cref="VaultAuthMethod"/> that valid options describe.
/// </summary>
internal static class VaultAuthMethods
{
    public const string Token = "Token";
    public const string AppRole = "AppRole";
    public const string Kubernetes = "Kubernetes";

    public static readonly string[] All = [Token, AppRole, Kubernetes];

    /// <summary>Lists what is wrong with the auth settings; empty when they fit the method.</summary>
    public static List<string> Problems(HashiCorpVaultKeySourceOptions options)
    {
        var problems = new List<string>();
        var method = Method(options);
        switch (method)
        {
            case Token:
                Unused(problems, method, (nameof(options.RoleId), options.RoleId), (nameof(options.SecretIdVariable), options.SecretIdVariable), (nameof(options.SecretIdFile), options.SecretIdFile), (nameof(options.Role), options.Role), (nameof(options.JwtPath), options.JwtPath), (nameof(options.AuthMountPath), options.AuthMountPath));
                if (Set(options.TokenVariable) && Set(options.TokenFile))
                {
                    problems.Add("Set only one of TokenVariable and TokenFile.");
                }

                break;

            case AppRole:
                Unused(problems, method, (nameof(options.TokenVariable), options.TokenVariable), (nameof(options.TokenFile), options.TokenFile), (nameof(options.Role), options.Role), (nameof(options.JwtPath), options.JwtPath));
                if (!Set(options.RoleId))
                {
                    problems.Add("AuthMethod AppRole needs RoleId (the role's role_id).");
                }

                if (Set(options.SecretIdVariable) == Set(options.SecretIdFile))
                {
                    problems.Add("AuthMethod AppRole needs exactly one of SecretIdVariable (an environment variable that holds the secret_id) and SecretIdFile (a file that holds it).");
                }

                break;

            case Kubernetes:
                Unused(problems, method, (nameof(options.TokenVariable), options.TokenVariable), (nameof(options.TokenFile), options.TokenFile), (nameof(options.RoleId), options.RoleId), (nameof(options.SecretIdVariable), options.SecretIdVariable), (nameof(options.SecretIdFile), options.SecretIdFile));
                if (!Set(options.Role))
                {
                    problems.Add("AuthMethod Kubernetes needs Role (the Vault role bound to the service account).");
                }

                break;

            default:
                problems.Add($"AuthMethod must be one of {string.Join(", ", All)}.");
                break;
        }

        return problems;
    }

    /// <summary>Creates the auth method of valid options.</summary>
    public static VaultAuthMethod Create(HashiCorpVaultKeySourceOptions options) => Method(options) switch
    {
        AppRole => new AppRoleAuthMethod(
            options.RoleId!.Trim(),
            Set(options.SecretIdFile) ? SecretReference.File(options.SecretIdFile!.Trim(), "secret_id") : SecretReference.Variable(options.SecretIdVariable!.Trim(), "secret_id"),
            MountPath(options, VaultDefaults.AppRoleMountPath)),
        Kubernetes => new KubernetesAuthMethod(
            options.Role!.Trim(),
            SecretReference.File(Set(options.JwtPath) ? options.JwtPath!.Trim() : HashiCorpVaultKeySourceOptions.DefaultKubernetesJwtPath, "service-account token"),
            MountPath(options, VaultDefaults.KubernetesMountPath)),
        _ => new TokenAuthMethod(
            options.Token is { } token ? TokenSource.FromValue(token)
            : Set(options.TokenVariable) ? TokenSource.FromVariable(options.TokenVariable!.Trim())
            : Set(options.TokenFile) ? TokenSource.FromFile(options.TokenFile!.Trim())
            : TokenSource.Default),
    };

    private static string? Method(HashiCorpVaultKeySourceOptions options)
        => options.AuthMethod is null ? Token : All.FirstOrDefault(m => string.Equals(m, options.AuthMethod.Trim(), StringComparison.OrdinalIgnoreCase));

    private static string MountPath(HashiCorpVaultKeySourceOptions options, string defaultPath)
        => Set(options.AuthMountPath) ? VaultPaths.TrimSlashes(options.AuthMountPath!) : defaultPath;

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);

    private static void Unused(List<string> problems, string method, params (string Name, string? Value)[] settings)
    {
        foreach (var (name, value) in settings)
        {
            if (Set(value))
            {
                problems.Add($"{name} does not apply to AuthMethod {method}; remove it or change AuthMethod.");
            }
        }
    }
}
