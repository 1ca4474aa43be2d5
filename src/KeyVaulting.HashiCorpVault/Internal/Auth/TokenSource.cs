namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>
/// Where the token auth method gets its token: a value, a file or an environment variable, or by default the Vault
/// CLI's own places, <c>VAULT_TOKEN</c> then <c>~/.vault-token</c>.
/// </summary>
internal sealed class TokenSource
{
    private readonly SecretReference? _reference;

    private TokenSource(SecretReference? reference) => _reference = reference;

    public static TokenSource Default { get; } = new(null);

    /// <summary>Gets where the token comes from, for messages; never the token.</summary>
    public string Description => _reference?.Description ?? $"{VaultDefaults.TokenVariable} or ~/{VaultDefaults.TokenHelperFile}";

    /// <summary>Gets a value indicating whether reading again may give a new token (a file or a variable can be rewritten).</summary>
    public bool CanChange => _reference is null || !_reference.IsFixedValue;

    public static TokenSource FromValue(string token) => new(SecretReference.Value(token, "token"));

    public static TokenSource FromFile(string path) => new(SecretReference.File(path, "token"));

    public static TokenSource FromVariable(string variable) => new(SecretReference.Variable(variable, "token"));

    /// <summary>Reads the token now.</summary>
    /// <exception cref="OpenAIKeySourceException">There is no token; the message names where it was looked for.</exception>
    public string Read(string sourceName)
    {
        if (_reference is not null)
        {
            return _reference.Read(sourceName);
        }

        var variable = Environment.GetEnvironmentVariable(VaultDefaults.TokenVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return variable.Trim();
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var helper = SecretReference.File(Path.Combine(home, VaultDefaults.TokenHelperFile), "token");
        if (helper.TryRead(out var token, out var problem))
        {
            return token;
        }

        throw new OpenAIKeySourceException(
            sourceName,
            $"No Vault token: the environment variable {VaultDefaults.TokenVariable} is {(variable is null ? "not set" : "empty")} and {problem}. " +
            $"Set {VaultDefaults.TokenVariable}, run 'vault login' (it writes ~/{VaultDefaults.TokenHelperFile}), or use another auth method " +
            "(options.UseAppRole or options.UseKubernetes; in configuration, AuthMethod).",
            isTransient: false);
    }
}
