using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureKeyVault.Internal.Validators;

/// <summary>
/// Validates the rules of <see cref="AzureKeyVaultKeySourceOptions"/> that DataAnnotations cannot express: Key Vault's
/// naming rules, names that look like a secret (refused without repeating them), and the credential settings that
/// only make sense together. Values are never repeated.
/// </summary>
internal sealed partial class AzureKeyVaultKeySourceOptionsCustomValidator : IValidateOptions<AzureKeyVaultKeySourceOptions>
{
    public const string VaultUriRule = "an absolute https URI such as https://my-vault.vault.azure.net/";

    public const string SecretNameRule = "1 to 127 letters, digits or dashes (Key Vault's rule for secret names)";

    public static readonly AzureKeyVaultKeySourceOptionsCustomValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, AzureKeyVaultKeySourceOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (options.VaultUri is { } vaultUri && !IsValidVaultUri(vaultUri))
        {
            builder.AddError($"VaultUri must be {VaultUriRule}.");
        }

        if (options.SecretName is { } secretName && SecretNameProblem(secretName) is { } problem)
        {
            builder.AddError(problem);
        }

        if (options.Version is not null && !Version().IsMatch(options.Version))
        {
            builder.AddError("Version must be the letters and digits of a secret version id, such as 4387e9f3d6e14c459867679a90fd0f79; remove it to follow the latest version.");
        }

        if (options.JsonField is { } field && (string.IsNullOrWhiteSpace(field) || SecretNames.LooksLikeSecret(field)))
        {
            builder.AddError("JsonField must name a JSON field (it is empty or looks like a secret, which is not repeated); remove it when the secret holds the bare key.");
        }

        if (ConfiguredCredential.Problem(options) is { } credentialProblem)
        {
            builder.AddError(credentialProblem);
        }

        return builder.Build();
    }

    public static bool IsValidVaultUri(Uri? uri)
        => uri is { IsAbsoluteUri: true } && string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) && uri.UserInfo.Length == 0;

    /// <summary>Says what is wrong with a secret name, without repeating it, or returns null.</summary>
    public static string? SecretNameProblem(string secretName)
        => !SecretName().IsMatch(secretName) ? $"SecretName must be {SecretNameRule}."
            : SecretNames.LooksLikeSecret(secretName) ? "SecretName looks like an OpenAI key, not a secret's name; it is not repeated. Give the name of the secret that holds the key."
            : null;

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex("^[0-9a-zA-Z]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Version();
}
