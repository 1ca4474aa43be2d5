using System.Globalization;
using KeyVaulting.HashiCorpVault.Diagnostics;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>
/// Keeps the source's Vault token usable, checked lazily at each fetch with the provider's <see cref="TimeProvider"/>:
/// renews it (<c>auth/token/renew-self</c>) once two thirds of its TTL have passed when it is renewable, logs in again
/// when renewal is refused, when it can no longer be renewed, or when it expired, and replaces a token Vault
/// rejected. The token is never logged.
/// </summary>
internal sealed class VaultTokenManager : IDisposable
{
    private const string RenewSelfPath = "auth/token/renew-self";
    private const string LookupSelfPath = "auth/token/lookup-self";

    private readonly VaultClient _client;
    private readonly VaultAuthMethod _auth;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private TokenState? _state;

    public VaultTokenManager(VaultClient client, VaultAuthMethod auth, TimeProvider time, ILogger logger)
    {
        _client = client;
        _auth = auth;
        _time = time;
        _logger = logger;
    }

    private string SourceName => _client.SourceName;

    /// <summary>Gets a token that is valid as far as the source knows, renewing or replacing it when due.</summary>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_state is null)
            {
                _state = await ObtainAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_state.ExpiresAt is { } expiresAt && now >= expiresAt)
            {
                Log.TokenExpired(_logger, SourceName, expiresAt, _auth.Description);
                _state = null;
                _state = await ObtainAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_state.RefreshAt is { } refreshAt && now >= refreshAt)
            {
                await RefreshAheadOfExpiryAsync(_state, cancellationToken).ConfigureAwait(false);
            }

            return _state.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Tells whether a 403 answer means that Vault rejected the token itself (expired or revoked) rather than the
    /// policy: Vault says <c>invalid token</c>, or the token cannot even look itself up.
    /// </summary>
    public async Task<bool> IsTokenRejectedAsync(VaultResponse forbidden, string token, CancellationToken cancellationToken)
    {
        if (forbidden.HasError("invalid token"))
        {
            return true;
        }

        using var lookup = await _client.SendAsync(HttpMethod.Get, LookupSelfPath, null, token, null, "the token lookup (auth/token/lookup-self)", cancellationToken).ConfigureAwait(false);
        return lookup.Status == 403;
    }

    /// <summary>
    /// Replaces a token that Vault rejected: logs in again, or reads the given token again. Called at most once per
    /// fetch, so a rejected token never causes a login loop.
    /// </summary>
    /// <returns>The new token, or null when the same token came back (nothing else to try).</returns>
    public async Task<string?> ReplaceRejectedTokenAsync(string rejected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state is not null && !string.Equals(_state.Token, rejected, StringComparison.Ordinal))
            {
                // Another fetch replaced it meanwhile.
                return _state.Token;
            }

            Log.TokenRejected(_logger, SourceName, _auth.Description);
            _state = null;
            _state = await ObtainAsync(cancellationToken).ConfigureAwait(false);
            return string.Equals(_state.Token, rejected, StringComparison.Ordinal) ? null : _state.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<TokenState> ObtainAsync(CancellationToken cancellationToken)
    {
        var token = await _auth.GetTokenAsync(_client, cancellationToken).ConfigureAwait(false);
        if (token.Ttl is { } ttl)
        {
            Log.LoggedIn(_logger, SourceName, _auth.Description, Describe(ttl), token.Renewable);
            return CreateState(token.Value, ttl, token.Renewable);
        }

        // A given token: ask Vault how long it lasts, so that it is renewed in time.
        using var lookup = await _client.SendAsync(HttpMethod.Get, LookupSelfPath, null, token.Value, null, "the token lookup (auth/token/lookup-self)", cancellationToken).ConfigureAwait(false);
        if (!lookup.IsSuccess)
        {
            Log.TokenLookupFailed(_logger, SourceName, lookup.Describe());
            return new TokenState(token.Value, null, null, false, null);
        }

        var seconds = VaultResponse.Number(lookup.Data, "ttl") ?? 0;
        var renewable = VaultResponse.Boolean(lookup.Data, "renewable") ?? false;
        var lookedUp = TimeSpan.FromSeconds(Math.Max(seconds, 0));
        var source = _auth is TokenAuthMethod given ? given.Source.Description : _auth.Description;
        Log.TokenLookedUp(_logger, SourceName, source, Describe(lookedUp), renewable);
        return CreateState(token.Value, lookedUp, renewable);
    }

    private TokenState CreateState(string token, TimeSpan ttl, bool renewable)
    {
        if (ttl <= TimeSpan.Zero)
        {
            // A token without TTL (root, or created with no expiry) never needs renewing.
            return new TokenState(token, null, null, false, ttl);
        }

        var now = _time.GetUtcNow();
        DateTimeOffset? refreshAt = renewable || _auth.IsLogin ? now + (ttl * VaultDefaults.RenewAtFractionOfTtl) : null;
        return new TokenState(token, now + ttl, refreshAt, renewable, ttl);
    }

    private async Task RefreshAheadOfExpiryAsync(TokenState state, CancellationToken cancellationToken)
    {
        if (!state.Renewable)
        {
            // Only a login method gets here: a new token before this one runs out.
            Log.LoggingInAheadOfExpiry(_logger, SourceName, _auth.Description, state.ExpiresAt!.Value);
            await ReplaceKeepingCurrentOnFailureAsync(state, cancellationToken).ConfigureAwait(false);
            return;
        }

        VaultResponse response;
        try
        {
            response = await _client.SendAsync(HttpMethod.Post, RenewSelfPath, null, state.Token, null, "the token renewal (auth/token/renew-self)", cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeySourceException ex) when (ex.IsTransient)
        {
            Log.TokenRenewalFailed(_logger, SourceName, ex.Message, state.ExpiresAt!.Value);
            return;
        }

        using (response)
        {
            if (response.IsSuccess)
            {
                var seconds = VaultResponse.Number(response.Auth, "lease_duration") ?? 0;
                var renewable = VaultResponse.Boolean(response.Auth, "renewable") ?? false;
                var ttl = TimeSpan.FromSeconds(Math.Max(seconds, 0));

                // A shorter TTL than before means the max TTL caps it: renewing again would only shrink it further.
                var capped = state.Ttl is { } previous && ttl < previous;
                _state = CreateState(state.Token, ttl, renewable && !capped);
                Log.TokenRenewed(_logger, SourceName, Describe(ttl), renewable && !capped);
                return;
            }

            if (response.Status is 408 or 412 or 429 or >= 500)
            {
                Log.TokenRenewalFailed(_logger, SourceName, response.Describe(), state.ExpiresAt!.Value);
                return;
            }

            var rejected = response.HasError("invalid token");
            if (_auth.IsLogin || rejected)
            {
                Log.TokenRenewalRefused(_logger, SourceName, response.Describe(), $"Getting a new token from {_auth.Description}.");
                if (rejected)
                {
                    _state = null;
                    _state = await ObtainAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ReplaceKeepingCurrentOnFailureAsync(state, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            Log.TokenRenewalRefused(
                _logger,
                SourceName,
                response.Describe(),
                string.Create(CultureInfo.InvariantCulture, $"The token keeps being used until it expires at {state.ExpiresAt:O}; provide a new one in {_auth.Description} before then."));
            _state = state with { RefreshAt = null, Renewable = false };
        }
    }

    /// <summary>Logs in again; when that fails, keeps the current token, still valid until it expires, and retries next fetch.</summary>
    private async Task ReplaceKeepingCurrentOnFailureAsync(TokenState state, CancellationToken cancellationToken)
    {
        try
        {
            _state = await ObtainAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeySourceException ex)
        {
            Log.TokenRenewalFailed(_logger, SourceName, ex.Message, state.ExpiresAt!.Value);
            _state = state;
        }
    }

    private static string Describe(TimeSpan ttl) => ttl <= TimeSpan.Zero ? "no expiry" : ttl.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>The current token and when to act on it. <see cref="ToString"/> never shows the token.</summary>
    private sealed record TokenState(string Token, DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt, bool Renewable, TimeSpan? Ttl)
    {
        public override string ToString() => $"TokenState (expires {ExpiresAt?.ToString("O", CultureInfo.InvariantCulture) ?? "never/unknown"})";
    }
}
