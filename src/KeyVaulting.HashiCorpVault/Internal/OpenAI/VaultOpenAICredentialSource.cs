using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Diagnostics;
using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal.OpenAI;

/// <summary>
/// Serves the key that Vault's OpenAI secrets plugin mints (<c>GET /v1/{mount}/creds/{role}</c>) under a lease: one
/// read, then renewals (<c>PUT sys/leases/renew</c>) once two thirds of the lease's lifetime have passed, a new read
/// before a lease that cannot be extended ends (or once Vault no longer knows it), and the revocation of every lease
/// it still holds on disposal (<c>PUT sys/leases/revoke</c>), so Vault deletes the service accounts. A refresh within
/// the lease reads nothing from Vault. The key's version is its <c>api_key_id</c> and its expiry the lease's end.
/// </summary>
internal sealed class VaultOpenAICredentialSource : IOpenAIKeySource, IAsyncDisposable, IDisposable
{
    private const string RenewPath = "sys/leases/renew";
    private const string RevokePath = "sys/leases/revoke";

    /// <summary>How long the revocations on disposal may take in all.</summary>
    private static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(10);

    private readonly VaultSourceSettings _settings;
    private readonly VaultClient _client;
    private readonly VaultTokenManager _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Leases replaced by a newer one: left to serve in-flight requests until they end, revoked on disposal.</summary>
    private readonly List<VaultOpenAILease> _retired = [];
    private VaultOpenAILease? _lease;
    private int _disposed;

    public VaultOpenAICredentialSource(VaultSourceSettings settings, VaultClient client, VaultTokenManager tokens, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _client = client;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public string Name => _settings.SourceName;

    private string ReadOperation => $"the read of {_settings.SecretPath}";

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var lease = await CurrentLeaseAsync(cancellationToken).ConfigureAwait(false);
            return OpenAIKeySourceResult.Found(lease.ApiKey, lease.ApiKeyId, lease.EndsAt);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(RevokeTimeout);
            var now = _time.GetUtcNow();
            var live = _retired.Where(l => l.EndsAt > now).ToList();
            if (_lease is { } current)
            {
                live.Add(current);
            }

            foreach (var lease in live)
            {
                await RevokeAsync(lease, timeout.Token).ConfigureAwait(false);
            }

            _lease = null;
            _retired.Clear();
        }
        finally
        {
            _gate.Release();
            _tokens.Dispose();
            _client.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Returns the lease to serve: the current one, renewed or replaced when its time has come.</summary>
    private async Task<VaultOpenAILease> CurrentLeaseAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_lease is not { } lease || now >= lease.EndsAt)
        {
            return await ReplaceAsync(cancellationToken).ConfigureAwait(false);
        }

        if (now < lease.ActAt)
        {
            return lease;
        }

        if (!lease.Renewable)
        {
            // Two thirds of what is left have passed and Vault will not extend it: a new credential, before the end.
            return await ReplaceAsync(cancellationToken).ConfigureAwait(false);
        }

        return await RenewAsync(lease, cancellationToken).ConfigureAwait(false) ?? await ReplaceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a new credential; the lease it replaces keeps living until its end (or disposal).</summary>
    private async Task<VaultOpenAILease> ReplaceAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, _settings.SecretPath, body: null, ReadOperation, cancellationToken).ConfigureAwait(false);
        var lease = Interpret(response);
        if (_lease is { } previous)
        {
            _retired.RemoveAll(l => l.EndsAt <= _time.GetUtcNow());
            _retired.Add(previous);
        }

        _lease = lease;
        Log.CredentialRead(_logger, Name, lease.ApiKeyId, lease.EndsAt, lease.Renewable);
        if (!lease.Renewable)
        {
            Log.LeaseCannotBeExtended(_logger, Name, lease.ApiKeyId, lease.EndsAt);
        }

        return lease;
    }

    /// <summary>Renews the lease; returns it, or null when Vault no longer knows it (revoked, expired) or denies the renewal.</summary>
    private async Task<VaultOpenAILease?> RenewAsync(VaultOpenAILease lease, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["lease_id"] = lease.LeaseId, ["increment"] = (long)lease.Ttl.TotalSeconds };
        VaultResponse response;
        try
        {
            response = await SendAsync(HttpMethod.Put, RenewPath, body, $"the renewal of the lease of key id {lease.ApiKeyId} ({RenewPath})", cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeySourceException ex) when (ex.IsTransient)
        {
            Log.LeaseRenewalFailed(_logger, Name, lease.ApiKeyId, ex.Message, lease.EndsAt);
            return lease;
        }

        using (response)
        {
            if (response.IsSuccess)
            {
                var seconds = VaultResponse.Number(response.Document?.RootElement, "lease_duration") ?? 0;
                var wasRenewable = lease.Renewable;
                lease.Extend(TimeSpan.FromSeconds(Math.Max(seconds, 0)), _time.GetUtcNow());
                if (VaultResponse.Boolean(response.Document?.RootElement, "renewable") == false)
                {
                    lease.StopRenewing();
                }

                Log.LeaseRenewed(_logger, Name, lease.ApiKeyId, lease.EndsAt);
                if (wasRenewable && !lease.Renewable)
                {
                    Log.LeaseCannotBeExtended(_logger, Name, lease.ApiKeyId, lease.EndsAt);
                }

                return lease;
            }

            if (response.Status is 400 or 403 or 404)
            {
                // The lease was revoked or has expired (400 "lease not found" / "invalid lease"), or the policy does not
                // allow the renewal: either way, a new credential replaces it.
                var fix = response.Status == 403
                    ? $"If this repeats, the token from {_settings.Auth.Description} needs 'update' on {RenewPath}: path \"{RenewPath}\" {{ capabilities = [\"update\"] }}."
                    : "The lease was revoked or has expired.";
                Log.LeaseRenewalRefused(_logger, Name, lease.ApiKeyId, response.Describe(), fix);
                if (_time.GetUtcNow() < lease.EndsAt && response.Status == 403)
                {
                    // Denied, not gone: the old credential is still live until its end.
                    _retired.Add(lease);
                }

                _lease = null;
                return null;
            }

            var failure = VaultErrors.Failure(Name, response, "the renewal of a lease", string.Empty);
            Log.LeaseRenewalFailed(_logger, Name, lease.ApiKeyId, failure.Message, lease.EndsAt);
            return lease;
        }
    }

    private async Task RevokeAsync(VaultOpenAILease lease, CancellationToken cancellationToken)
    {
        try
        {
            var body = new JsonObject { ["lease_id"] = lease.LeaseId };
            using var response = await SendAsync(HttpMethod.Put, RevokePath, body, $"the revocation of the lease of key id {lease.ApiKeyId} ({RevokePath})", cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                Log.LeaseRevoked(_logger, Name, lease.ApiKeyId);
            }
            else
            {
                Log.LeaseRevocationFailed(_logger, Name, lease.ApiKeyId, response.Describe(), lease.EndsAt);
            }
        }
        catch (Exception ex) when (ex is OpenAIKeySourceException or OperationCanceledException)
        {
            Log.LeaseRevocationFailed(_logger, Name, lease.ApiKeyId, ex.Message, lease.EndsAt);
        }
    }

    /// <summary>Sends a request with the token; a token Vault rejects is replaced once, never in a loop.</summary>
    private async Task<VaultResponse> SendAsync(HttpMethod method, string path, JsonObject? body, string operation, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = await _client.SendAsync(method, path, null, token, body, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status == 403 && await _tokens.IsTokenRejectedAsync(response, token, cancellationToken).ConfigureAwait(false))
        {
            var replacement = await _tokens.ReplaceRejectedTokenAsync(token, cancellationToken).ConfigureAwait(false);
            if (replacement is null)
            {
                var description = response.Describe();
                response.Dispose();
                throw new OpenAIKeySourceException(
                    Name,
                    $"Vault rejected the token from {_settings.Auth.Description} as invalid ({description}): it expired or was revoked. {_settings.Auth.RejectedTokenFix}",
                    isTransient: false);
            }

            response.Dispose();
            response = await _client.SendAsync(method, path, null, replacement, body, operation, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private VaultOpenAILease Interpret(VaultResponse response)
    {
        if (!response.IsSuccess)
        {
            throw response.Status == 403
                ? new OpenAIKeySourceException(
                    Name,
                    $"Vault denied {ReadOperation}{InNamespace} ({response.Describe()}). The token from {_settings.Auth.Description} needs a policy granting 'read' on '{_settings.SecretPath}' " +
                    $"and 'update' on '{RenewPath}' and '{RevokePath}': path \"{_settings.SecretPath}\" {{ capabilities = [\"read\"] }}.",
                    isTransient: false)
                : VaultErrors.Failure(
                    Name,
                    response,
                    ReadOperation,
                    $"Check that the OpenAI secrets plugin is mounted at '{_settings.MountPoint}' (MountPoint) and has the role '{_settings.Path}' (Path): vault read {_settings.MountPoint}/role/{_settings.Path}.");
        }

        var data = response.Data;
        var apiKey = VaultResponse.String(data, "api_key");
        var leaseId = VaultResponse.String(response.Document?.RootElement, "lease_id");
        if (string.IsNullOrWhiteSpace(apiKey) || string.IsNullOrWhiteSpace(leaseId))
        {
            throw new OpenAIKeySourceException(
                Name,
                $"Vault answered {ReadOperation} without data.api_key or a lease_id. Check that '{_settings.MountPoint}' (MountPoint) is the OpenAI secrets plugin (vault-plugin-secrets-openai), not a KV mount; for a KV secret, unset SecretEngine.",
                isTransient: false);
        }

        _client.Redactor.Add(apiKey);
        _client.Redactor.Add(leaseId);
        var apiKeyId = VaultResponse.String(data, "api_key_id") is { Length: > 0 } id ? id : LastSegment(leaseId);
        var renewable = VaultResponse.Boolean(response.Document?.RootElement, "renewable") ?? false;
        var ttl = TimeSpan.FromSeconds(Math.Max(response.LeaseDurationSeconds, 0));
        return new VaultOpenAILease(leaseId, apiKey, apiKeyId, ttl, renewable, _time.GetUtcNow());
    }

    private string InNamespace => _settings.Namespace is null ? string.Empty : $" in namespace '{_settings.Namespace}'";

    private static string LastSegment(string leaseId) => leaseId[(leaseId.LastIndexOf('/') + 1)..];
}
