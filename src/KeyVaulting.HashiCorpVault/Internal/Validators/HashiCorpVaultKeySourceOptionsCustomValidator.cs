using KeyVaulting.HashiCorpVault.Internal.Auth;
using Microsoft.Extensions.Options;

namespace KeyVaulting.HashiCorpVault.Internal.Validators;

/// <summary>
/// Validates the rules of <see cref="HashiCorpVaultKeySourceOptions"/> that DataAnnotations cannot express: usable
/// Vault paths, the address's shape (no user information), names that look like a secret, the auth settings that fit
/// the auth method, and settings that only make sense together. Values are never repeated.
/// </summary>
internal sealed class HashiCorpVaultKeySourceOptionsCustomValidator : IValidateOptions<HashiCorpVaultKeySourceOptions>
{
    public static readonly HashiCorpVaultKeySourceOptionsCustomValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, HashiCorpVaultKeySourceOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (options.Path is not null && PathProblem(options.Path) is { } pathProblem)
        {
            builder.AddError(pathProblem);
        }

        var mountProblem = string.IsNullOrWhiteSpace(options.MountPoint) ? "it is empty" : VaultPaths.Problem(options.MountPoint);
        if (mountProblem is not null)
        {
            builder.AddError($"MountPoint is not usable: {mountProblem}; give the KV engine's mount path, for example 'secret'.");
        }

        if (options.KvVersion is not (1 or 2))
        {
            builder.AddError("KvVersion must be 1 or 2 (the version of the KV secrets engine; 'vault secrets list -detailed' shows it).");
        }

        if (string.IsNullOrWhiteSpace(options.JsonField) || SecretNames.LooksLikeSecret(options.JsonField))
        {
            builder.AddError("JsonField is empty or looks like a secret (it is not repeated); give the secret's field that holds the key, for example 'api_key'.");
        }

        if (options.Version is { } version)
        {
            if (version < 1)
            {
                builder.AddError("Version must be 1 or more (or unset, to read the latest version).");
            }

            if (options.KvVersion == 1)
            {
                builder.AddError("Version is set but KvVersion is 1: only KV version 2 keeps versions; unset Version or use KvVersion 2.");
            }
        }

        foreach (var problem in SecretEngineProblems(options))
        {
            builder.AddError(problem);
        }

        if (options.Address is { } address)
        {
            if (!IsHttp(address))
            {
                builder.AddError("Address must be an absolute http:// or https:// address, for example https://vault.example.com:8200.");
            }
            else if (address.UserInfo.Length > 0)
            {
                // The value is not repeated: user information is a credential.
                builder.AddError(UserInfoProblem("Address") + ".");
            }
        }

        foreach (var problem in VaultAuthMethods.Problems(options))
        {
            builder.AddError(problem);
        }

        return builder.Build();
    }

    /// <summary>Says what is wrong with the secret's path, without repeating it, or returns null when it is usable.</summary>
    public static string? PathProblem(string? path)
    {
        var problem = string.IsNullOrWhiteSpace(path) ? "it is empty"
            : SecretNames.LooksLikeSecret(path) ? "it looks like an OpenAI key, which is not repeated"
            : VaultPaths.Problem(path);
        return problem is null ? null : $"The secret path is not usable: {problem}; give the path inside the mount, for example 'openai'.";
    }

    /// <summary>Says what is wrong with <see cref="HashiCorpVaultKeySourceOptions.SecretEngine"/> and the settings that do not fit it.</summary>
    public static IEnumerable<string> SecretEngineProblems(HashiCorpVaultKeySourceOptions options)
    {
        var engine = options.SecretEngine?.Trim();
        if (engine is not null
            && !string.Equals(engine, VaultDefaults.KvEngine, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(engine, VaultDefaults.OpenAIEngine, StringComparison.OrdinalIgnoreCase))
        {
            yield return $"SecretEngine must be '{VaultDefaults.KvEngine}' (a KV secret, the default) or '{VaultDefaults.OpenAIEngine}' (Vault's OpenAI secrets plugin mints the key); unset it for a KV secret.";
            yield break;
        }

        if (!options.IsOpenAIEngine)
        {
            yield break;
        }

        if (options.Version is not null)
        {
            yield return "Version is set but SecretEngine is OpenAI: the plugin's credentials have no versions; unset Version.";
        }

        if (options.KvVersion != 2)
        {
            yield return "KvVersion is set but SecretEngine is OpenAI: it only applies to KV secrets; unset KvVersion.";
        }

        if (options.JsonField != VaultDefaults.JsonField)
        {
            yield return $"JsonField is set but SecretEngine is OpenAI: the plugin always returns the key in '{VaultDefaults.JsonField}'; unset JsonField.";
        }
    }

    public static string UserInfoProblem(string setting)
        => $"{setting} contains user information (user:password@), which would be repeated in messages, logs and the health check; remove it: Vault authenticates with a token, never with a password in its address";

    public static bool IsHttp(Uri address)
        => address.IsAbsoluteUri && (address.Scheme == Uri.UriSchemeHttps || address.Scheme == Uri.UriSchemeHttp);
}
