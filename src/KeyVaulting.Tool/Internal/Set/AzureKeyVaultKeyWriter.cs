extern alias azure;

using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using azure::KeyVaulting.AzureKeyVault;
using azure::KeyVaulting.AzureKeyVault.Internal;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Writes a key into the Azure Key Vault secret a source reads, with the source's own settings, credential
/// (<c>CredentialType</c> and its settings, <see cref="DefaultAzureCredential"/> by default) and client options, all
/// created by the package as for the application: Set Secret makes a new version, which the source reads as the latest.
/// With <c>JsonField</c>, the latest version is read first, that field replaced and the whole JSON written (its content
/// type kept), every other field kept; a secret that does not exist yet is created.
/// </summary>
internal sealed class AzureKeyVaultKeyWriter : IStoreKeyWriter
{
    private const string RolesHint =
        "the 'Key Vault Secrets Officer' role on the vault or the secret (Azure RBAC vaults; role assignments take a few minutes to apply), " +
        "or the 'set' and 'get' secret permissions in the vault's access policies (access-policy vaults)";

    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly string? _jsonField;
    private readonly string _credentialName;
    private readonly string _store;
    private readonly string _section;
    private readonly TimeProvider _time;

    private AzureKeyVaultKeyWriter(SecretClient client, string secretName, string? jsonField, string credentialName, string store, string section, TimeProvider time)
    {
        _client = client;
        _secretName = secretName;
        _jsonField = jsonField;
        _credentialName = credentialName;
        _store = store;
        _section = section;
        _time = time;
    }

    /// <summary>Gets the secret (and field) written, for messages that already name the vault.</summary>
    private string Secret => $"secret '{_secretName}'{(_jsonField is null ? null : $" (field {_jsonField})")}";

    private string Location => $"{Secret} in {_client.VaultUri}";

    /// <summary>Binds and validates the source's options as the application does, and creates its client.</summary>
    /// <exception cref="ToolUsageException">A setting is invalid, pins a version, or names an unset client secret variable.</exception>
    public static AzureKeyVaultKeyWriter Create(IConfigurationSection section, IServiceProvider services, string store)
    {
        try
        {
            var options = AzureKeyVaultKeySourceFactory.Bind(new OpenAIKeySourceFactoryContext(string.Empty, section, services));
            if (options.Version is not null)
            {
                throw new ToolUsageException($"Source {store} pins version {options.Version} of its secret ('{section.Path}:Version'), so it would never read a new one: remove Version, then run set again.");
            }

            var (client, credentialName) = AzureKeyVaultKeySourceFactory.CreateClient(services, options, $"Configuration '{section.Path}'");
            var time = (TimeProvider?)services.GetService(typeof(TimeProvider)) ?? TimeProvider.System;
            var jsonField = string.IsNullOrWhiteSpace(options.JsonField) ? null : options.JsonField;
            return new AzureKeyVaultKeyWriter(client, options.SecretName!, jsonField, credentialName, store, section.Path, time);
        }
        catch (InvalidOperationException ex)
        {
            throw new ToolUsageException(ex.Message);
        }
    }

    public async Task<StoreWrite> WriteAsync(string key, CancellationToken cancellationToken)
    {
        var operation = "the read of the latest version";
        try
        {
            var secret = new KeyVaultSecret(_secretName, key);
            if (_jsonField is not null)
            {
                var (value, contentType) = await MergeAsync(key, cancellationToken).ConfigureAwait(false);
                secret = new KeyVaultSecret(_secretName, value);
                secret.Properties.ContentType = contentType;
            }

            operation = "the write (Set Secret)";
            var written = (await _client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false)).Value;
            return new StoreWrite(Location, written.Properties.Version);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Translate(ex, operation) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>A <see cref="SecretClient"/> holds nothing to release.</summary>
    public void Dispose()
    {
    }

    /// <summary>The latest version's JSON with the field replaced (a new object when the secret does not exist yet), and its content type.</summary>
    private async Task<(string Value, string? ContentType)> MergeAsync(string key, CancellationToken cancellationToken)
    {
        JsonObject fields = [];
        string? contentType = "application/json";
        try
        {
            var latest = (await _client.GetSecretAsync(_secretName, version: null, cancellationToken).ConfigureAwait(false)).Value;
            contentType = latest.Properties.ContentType ?? contentType;
            try
            {
                fields = JsonNode.Parse(latest.Value) as JsonObject ?? throw new JsonException();
            }
            catch (JsonException)
            {
                // The parser's message quotes the value, which may be a key: it is not passed on.
                throw new ToolFailureException(
                    $"Azure Key Vault {_client.VaultUri}, source {_store}: the latest version of {Secret} is not a JSON object, so JsonField cannot be replaced in it. " +
                    "Remove JsonField (the key is then the whole value) or fix the secret; the value is not shown.");
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == "SecretNotFound")
        {
            // Not created yet: Set Secret creates it, with the field alone.
        }

        fields[_jsonField!] = key;
        return (fields.ToJsonString(), contentType);
    }

    private ToolFailureException? Translate(Exception exception, string operation)
    {
        // The SDK's retry policy wraps the attempts' exceptions once it gives up; the last one says why.
        var cause = exception is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[^1] : exception;
        var prefix = $"Azure Key Vault {_client.VaultUri}, source {_store}";
        return cause switch
        {
            CredentialUnavailableException unavailable => new ToolFailureException(
                $"{prefix}: {_credentialName}, the credential the source is configured with (CredentialType), is not available here: {Sentence(unavailable.Message)} " +
                "The tool signs in as the application would. Run set where that credential works, or choose another for this run only, " +
                $"for example after az login: {_section.Replace(":", "__", StringComparison.Ordinal)}__CredentialType=AzureCli keyvaulting set --store {_store}"),
            AuthenticationFailedException failed => new ToolFailureException(
                $"{prefix}: {_credentialName} could not get a token for Key Vault: {Sentence(failed.Message)} Check the credential's settings (TenantId, ClientId, the client secret's variable) and that the identity exists."),
            RequestFailedException { Status: 0 } transport => new ToolFailureException(
                $"{prefix}: the vault could not be reached for {operation}: {Sentences.Innermost(transport).GetType().Name}, {Sentence(Sentences.Innermost(transport).Message)} Nothing was written. Check VaultUri, DNS, the network, any proxy (HTTPS_PROXY) and the vault's firewall."),
            RequestFailedException failed => FromResponse(failed, operation, prefix),

            // Not passed on: the parser's message quotes the answer, which may hold a key.
            JsonException or ResponseTooLargeException => new ToolFailureException(
                $"{prefix}: the answer to {operation} is not Key Vault's ({(cause is JsonException ? "not its JSON" : "larger than any of its answers")}: a proxy's or a sign-in page?); it is not known whether the key was written. Check VaultUri and any proxy, then run set again."),
            OperationCanceledException or IOException => new ToolFailureException(
                $"{prefix}: the vault did not answer {operation} ({cause.GetType().Name}); it is not known whether the key was written. Check the network, then run set again."),
            _ => null,
        };
    }

    private ToolFailureException FromResponse(RequestFailedException exception, string operation, string prefix)
    {
        var error = KeyVaultError.From(exception, _time.GetUtcNow());
        var status = error.Describe();
        var said = error.Message is null ? string.Empty : $" Key Vault said: {error.Message}";
        return (error.Status, error.InnerCode) switch
        {
            (401, _) => new ToolFailureException(
                $"{prefix}: the vault rejected the token of {_credentialName} for {operation} ({status}). The identity must belong to the vault's Microsoft Entra tenant (TenantId)."),
            (403, "ForbiddenByFirewall") => new ToolFailureException(
                $"{prefix}: the vault's firewall does not allow this machine's network ({status}); nothing was written. Run set from an allowed network, or allow this one (IP rule, virtual network, private endpoint)."),
            (403, "SecretDisabled") => new ToolFailureException(
                $"{prefix}: the latest version of {Secret} is disabled ({status}), so JsonField's other fields cannot be read; nothing was written. Enable it (az keyvault secret set-attributes --enabled true), or remove JsonField."),
            (403, _) => new ToolFailureException(
                $"{prefix}: the vault denied {operation} of {Secret} to the identity of {_credentialName} ({status}); nothing was written. To set the key it needs {RolesHint}; " +
                $"or run set as an identity that has it (CredentialType and its settings).{said}"),
            (404, _) => new ToolFailureException(
                $"{prefix}: {operation} answered 404 ({status}): no Key Vault at that address. Check VaultUri: it is the vault's URI, https://<vault-name>.vault.azure.net/, without a path.{said}"),
            (409, _) => new ToolFailureException(
                $"{prefix}: {operation} of {Secret} conflicts with the secret's state ({status}): a deleted secret of that name is kept while soft-delete lasts. Recover it (az keyvault secret recover) or purge it, then run set again.{said}"),
            _ => new ToolFailureException($"{prefix}: {operation} of {Secret} failed ({status}).{said} Run set again; if it persists, check the vault's health."),
        };
    }

    private static string Sentence(string text) => Sentences.EndWithPeriod(SecretShapes.Mask(text));
}
