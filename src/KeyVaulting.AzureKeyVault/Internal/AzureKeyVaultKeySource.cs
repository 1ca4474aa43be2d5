using System.Globalization;
using Azure;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// Reads the key from an Azure Key Vault secret through the Azure SDK's <see cref="SecretClient"/>, on every fetch:
/// the latest version (so a new version is picked up on the next refresh) or a pinned one.
/// </summary>
internal sealed partial class AzureKeyVaultKeySource : IOpenAIKeySource
{
    public const string TypeName = "AzureKeyVault";

    /// <summary>The longest secret value Key Vault stores (25 KB); a longer answer did not come from Key Vault.</summary>
    public const int MaxSecretValueLength = 25 * 1024;

    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly string? _version;
    private readonly string? _jsonField;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AzureKeyVaultKeySource(
        SecretClient client,
        string secretName,
        string? version,
        string? jsonField,
        string credentialName,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _client = client;
        _secretName = secretName;
        _version = version;
        _jsonField = jsonField;
        _time = timeProvider;
        _logger = logger;
        CredentialName = credentialName;
        Name = NameOf(secretName, version);
    }

    public string Name { get; }

    /// <summary>Returns a source's name: <c>AzureKeyVault:{secretName}</c>, with <c>@{version}</c> when pinned.</summary>
    public static string NameOf(string secretName, string? version)
        => version is null ? $"{TypeName}:{secretName}" : $"{TypeName}:{secretName}@{version}";

    /// <summary>Gets the name of the credential that reads the secret, as used in messages (for example <c>ManagedIdentityCredential</c>).</summary>
    public string CredentialName { get; }

    public SecretClient Client => _client;

    private Uri VaultUri => _client.VaultUri;

    private string Secret => _version is null
        ? $"the secret '{_secretName}'"
        : $"version {_version} of the secret '{_secretName}'";

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(_secretName, _version, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            var error = KeyVaultError.From(ex, _time.GetUtcNow());
            Log.SecretNotFound(_logger, Name, VaultUri, error.Describe());
            return OpenAIKeySourceResult.NotFound($"Azure Key Vault {VaultUri} does not have {Secret} ({error.Describe()})");
        }
        catch (Exception ex) when (TryTranslate(ex) is { } failure)
        {
            throw failure;
        }

        return ToResult(secret);
    }

    private OpenAIKeySourceResult ToResult(KeyVaultSecret secret)
    {
        var properties = secret.Properties;
        var version = properties.Version;
        var described = $"version {version} of the secret '{_secretName}' in Azure Key Vault {VaultUri}";
        Log.SecretRead(_logger, Name, version, VaultUri, properties.ExpiresOn);

        if (properties.Enabled == false)
        {
            throw new OpenAIKeySourceException(Name, $"{Sentences.Capitalize(described)} is disabled. {EnableHint}", isTransient: false);
        }

        var now = _time.GetUtcNow();
        if (properties.ExpiresOn is { } expiresOn && expiresOn <= now)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"{Sentences.Capitalize(described)} expired at {Format(expiresOn)} (its expiration date, exp); it is not used. " +
                "Add a new version holding a valid key, or move the expiration date if the key is still valid at OpenAI.",
                isTransient: false);
        }

        if (properties.NotBefore is { } notBefore && notBefore > now)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"{Sentences.Capitalize(described)} is not valid before {Format(notBefore)} (its activation date, nbf); it is not used yet. " +
                "Remove the activation date, or wait for it.",
                isTransient: false);
        }

        if (string.IsNullOrWhiteSpace(secret.Value))
        {
            // A failure, not an absence: a blanked production secret must not switch the app to the next source's key.
            throw new OpenAIKeySourceException(
                Name,
                $"{Sentences.Capitalize(described)} is empty. Add a new version that holds the key.",
                isTransient: false);
        }

        if (secret.Value.Length > MaxSecretValueLength)
        {
            // Key Vault refuses to store more, so this answer came from something else (a proxy, a misrouted VaultUri).
            throw new OpenAIKeySourceException(
                Name,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Sentences.Capitalize(described)} is {secret.Value.Length} characters long, more than the 25 KB Key Vault allows for a secret value, so it is not used. Check VaultUri and any proxy between this application and Azure."),
                isTransient: false);
        }

        var value = _jsonField is null
            ? SecretJsonField.RejectJsonObject(secret.Value, Name, described)
            : SecretJsonField.Extract(secret.Value, _jsonField, Name, described);

        return OpenAIKeySourceResult.Found(value, version, properties.ExpiresOn);
    }

    private static string Format(DateTimeOffset value) => value.ToString("u", CultureInfo.InvariantCulture);
}
