using System.Globalization;
using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault;
using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Writes a key into the HashiCorp Vault secret a source reads, with the source's own settings, client and
/// authentication (the package's, so that the tool talks to Vault exactly as the application does): the secret is
/// read, the source's <c>JsonField</c> replaced, every other field kept, and the whole secret written back. On KV
/// version 2 the write carries <c>cas</c> = the version read, so a concurrent write is detected instead of overwritten;
/// on KV version 1, which has no versions, the fields are replaced in place. A token Vault rejects as invalid is
/// replaced once (a new login), as the source does.
/// </summary>
internal sealed class VaultKeyWriter : IStoreKeyWriter
{
    private const string CasMismatch = "check-and-set parameter did not match";

    private readonly VaultConnection _connection;
    private readonly string _store;

    private VaultKeyWriter(VaultConnection connection, string store)
    {
        _connection = connection;
        _store = store;
    }

    private VaultSourceSettings Settings => _connection.Settings;

    private string Location => $"{Settings.SecretPath} (field {Settings.JsonField}) at {Settings.Address.GetLeftPart(UriPartial.Path)}";

    /// <summary>Binds and validates the source's options as the application does, and connects.</summary>
    /// <exception cref="ToolUsageException">A setting is invalid, or pins a version.</exception>
    /// <exception cref="ToolNotSupportedException">The source reads dynamic keys from Vault's OpenAI secrets engine.</exception>
    public static VaultKeyWriter Create(IConfigurationSection section, IServiceProvider services, string store)
    {
        try
        {
            var options = HashiCorpVaultKeySourceFactory.Bind(new OpenAIKeySourceFactoryContext(string.Empty, section, services));
            if (options.IsOpenAIEngine)
            {
                throw new ToolNotSupportedException(
                    $"HashiCorp Vault, source {store}: its keys come from Vault's OpenAI secrets engine (SecretEngine OpenAI, '{section.Path}:SecretEngine'): Vault mints a new key for each lease (vault read {VaultPaths.CredentialsPath(VaultPaths.TrimSlashes(options.EffectiveMountPoint), options.Path!)}), " +
                    "so there is no stored key to set, and none can be. Configure the engine instead (its admin key: vault write <mount>/config; the role: vault write <mount>/roles/<role>); the application then gets its keys from it.");
            }

            if (options.Version is not null)
            {
                throw new ToolUsageException($"Source {store} pins version {options.Version} of its secret ('{section.Path}:Version'), so it would never read a new one: remove Version, then run set again.");
            }

            return new VaultKeyWriter(HashiCorpVaultKeySourceFactory.Connect(options, services), store);
        }
        catch (InvalidOperationException ex)
        {
            throw new ToolUsageException(ex.Message);
        }
    }

    /// <summary>Writes <paramref name="key"/> as the source's field, keeping the secret's other fields.</summary>
    /// <exception cref="ToolFailureException">Vault refused or failed the read or the write, or the secret changed in between; nothing secret is in the message.</exception>
    public async Task<StoreWrite> WriteAsync(string key, CancellationToken cancellationToken)
    {
        _connection.Client.Redactor.Add(key);
        try
        {
            var (fields, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
            fields[Settings.JsonField] = key;

            var body = Settings.KvVersion == 2
                ? new JsonObject { ["options"] = new JsonObject { ["cas"] = version }, ["data"] = fields }
                : fields;
            using var response = await SendAsync(HttpMethod.Post, body, "write", cancellationToken).ConfigureAwait(false);
            if (response.Status == 400 && response.HasError(CasMismatch))
            {
                throw new ToolFailureException(
                    $"HashiCorp Vault: the secret {Settings.SecretPath} of source {_store} changed between the tool's read (version {version}) and its write (check-and-set): someone else wrote it at the same time. Nothing was written; check who (a rotation?), then run set again.");
            }

            if (!response.IsSuccess)
            {
                throw Failure(response, "write", "\"create\", \"update\"");
            }

            var written = Settings.KvVersion == 2 ? VaultResponse.Number(response.Data, "version") : null;
            return new StoreWrite(Location, written?.ToString(CultureInfo.InvariantCulture));
        }
        catch (OpenAIKeySourceException ex)
        {
            throw new ToolFailureException($"HashiCorp Vault, source {_store}: {SecretShapes.Mask(ex.Message)}");
        }
    }

    public void Dispose() => _connection.Client.Dispose();

    /// <summary>The secret's fields and version (KV v2; 0 when it does not exist yet, which <c>cas</c> accepts as "create").</summary>
    private async Task<(JsonObject Fields, long Version)> ReadAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, null, "read", cancellationToken).ConfigureAwait(false);
        var envelope = response.Data;
        if (response.Status == 404)
        {
            // Not written yet, or its latest version deleted: the metadata (KV v2) still says which version is current.
            return ([], VaultResponse.Number(VaultResponse.Property(envelope, "metadata"), "version") ?? 0);
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, "read", "\"read\"");
        }

        var data = Settings.KvVersion == 2 ? VaultResponse.Property(envelope, "data") : envelope;
        var fields = data is { } d ? (JsonObject)JsonNode.Parse(d.GetRawText())! : [];
        var version = Settings.KvVersion == 2 ? VaultResponse.Number(VaultResponse.Property(envelope, "metadata"), "version") ?? 0 : 0;
        return (fields, version);
    }

    /// <summary>
    /// Sends one request to the secret's path with the source's token. A token Vault rejects as invalid (expired or
    /// revoked, not a policy denial) is replaced once, as the source does: a login method logs in again, a token
    /// variable or file is read again; when the same token comes back, the message says the token is invalid.
    /// </summary>
    private async Task<VaultResponse> SendAsync(HttpMethod method, JsonObject? body, string operation, CancellationToken cancellationToken)
    {
        var described = $"the {operation} of {Settings.SecretPath}";
        var token = await _connection.Tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = await _connection.Client.SendAsync(method, Settings.SecretPath, null, token, body, described, cancellationToken).ConfigureAwait(false);
        if (response.Status == 403 && await _connection.Tokens.IsTokenRejectedAsync(response, token, cancellationToken).ConfigureAwait(false))
        {
            var replacement = await _connection.Tokens.ReplaceRejectedTokenAsync(token, cancellationToken).ConfigureAwait(false);
            if (replacement is null)
            {
                var status = response.Describe();
                response.Dispose();
                throw new ToolFailureException(
                    $"HashiCorp Vault rejected the token from {Settings.Auth.Description} as invalid for {described} (source {_store}, {status}): it expired or was revoked, so no policy is at fault. Nothing was written. {Settings.Auth.RejectedTokenFix}");
            }

            response.Dispose();
            response = await _connection.Client.SendAsync(method, Settings.SecretPath, null, replacement, body, described, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private ToolFailureException Failure(VaultResponse response, string operation, string capability)
    {
        if (response.Status == 403)
        {
            return new ToolFailureException(
                $"HashiCorp Vault denied the {operation} of {Settings.SecretPath} for source {_store} ({response.Describe()}). The token (from {Settings.Auth.Description}) needs a policy granting {capability} on it; " +
                $"to set the key: path \"{Settings.SecretPath}\" {{ capabilities = [\"read\", \"create\", \"update\"] }}. Or run set with a token that has it (its auth settings: AuthMethod, TokenVariable, …).");
        }

        var failure = VaultErrors.Failure(_store, response, $"the {operation} of {Settings.SecretPath}", $"Check MountPoint ('{Settings.MountPoint}'), Path ('{Settings.Path}') and KvVersion ({Settings.KvVersion}).");
        return new ToolFailureException($"HashiCorp Vault, source {_store}: {SecretShapes.Mask(failure.Message)}");
    }
}
