using KeyVaulting.Provider;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Decides what happens after OpenAI answered 401 to a key, for both the SDK pipeline policy and the
/// <see cref="HttpClient"/> handler: send once more with a newer key, or give the 401 back to the caller.
/// </summary>
/// <remarks>
/// <para>
/// When the provider already holds a different key (a rotation happened while the request was in flight), that key
/// is used without reading the store. Otherwise KeyVaulting's provider learns that OpenAI rejects the key it serves
/// (its health check then reports Unhealthy) and re-reads its sources at once, then every second, backing off: a 401
/// shares the read in flight or returns at once, so a 401 storm never becomes a store storm (see
/// <c>OpenAIKeyProvider.RecoverAsync</c>). Another <see cref="IOpenAIKeyProvider"/> is asked to
/// <see cref="IOpenAIKeyProvider.RefreshAsync"/>, which is single-flight and rate-limited.
/// </para>
/// <para>
/// Each log message is written for the first answer of a run only; <see cref="OpenAIAnswerLog"/> counts the rest and
/// summarizes them once per <paramref name="errorLogInterval"/> (default 30 seconds).
/// </para>
/// </remarks>
internal sealed class KeyRejectionRecovery(IOpenAIKeyProvider provider, string providerName, ILogger logger, TimeSpan? errorLogInterval = null)
{
    private readonly OpenAIKeyProvider? _own = provider as OpenAIKeyProvider;
    private readonly OpenAIAnswerLog _answers = OpenAIAnswerLog.For(provider, providerName, logger, errorLogInterval);

    public string ProviderName { get; } = providerName;

    public ILogger Logger { get; } = logger;

    /// <summary>Gets a value indicating whether the provider waits to hear that a request succeeded with its rejected key: one volatile read.</summary>
    public bool AwaitsAcceptance => _own is { } own && own.IsKeyRejected();

    /// <summary>
    /// Returns the key to send the request with once more, or <see langword="null"/> to return the 401.
    /// </summary>
    /// <param name="rejected">The key OpenAI rejected.</param>
    /// <param name="error">OpenAI's error type and code.</param>
    /// <param name="canResend">Whether the caller is able to send the request again; when not, a newer key is still
    /// loaded for later requests, and the log says why this one fails.</param>
    /// <param name="cancellationToken">Cancels waiting for the provider.</param>
    public async ValueTask<OpenAIKey?> FindReplacementAsync(OpenAIKey rejected, OpenAIErrorBody error, bool canResend, CancellationToken cancellationToken)
    {
        var code = error.Describe();
        OpenAIKey candidate;
        try
        {
            if (_own is not null)
            {
                candidate = await _own.RecoverAsync(rejected, code, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                candidate = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
                if (candidate == rejected)
                {
                    candidate = await provider.RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (_answers.First(OpenAIAnswerKind.RefreshFailed, rejected, code))
            {
                OpenAILog.KeyRefreshFailed(Logger, ProviderName, rejected.Fingerprint, ex.GetType().Name, ex);
            }

            return null;
        }

        if (candidate == rejected)
        {
            if (_answers.First(OpenAIAnswerKind.KeyUnchanged, rejected, code))
            {
                OpenAILog.KeyRejectedUnchanged(Logger, ProviderName, rejected.Fingerprint, code, rejected.Source);
            }

            return null;
        }

        if (!canResend)
        {
            if (_answers.First(OpenAIAnswerKind.NotResendable, rejected, code))
            {
                OpenAILog.KeyRejectedCannotResend(Logger, ProviderName, rejected.Fingerprint, code, candidate.Fingerprint);
            }

            return null;
        }

        if (_answers.First(OpenAIAnswerKind.Resent, rejected, code))
        {
            OpenAILog.KeyRejectedRetrying(Logger, ProviderName, rejected.Fingerprint, code, candidate.Fingerprint, candidate.Source);
        }

        return candidate;
    }

    /// <summary>Logs that the key sent on the single extra try was rejected as well.</summary>
    public void ReportRejectedAgain(OpenAIKey key, OpenAIErrorBody error)
    {
        var code = error.Describe();
        if (_answers.First(OpenAIAnswerKind.RejectedAgain, key, code))
        {
            OpenAILog.RefreshedKeyRejected(Logger, ProviderName, key.Fingerprint, code, key.Source);
        }
    }

    /// <summary>Tells the provider that a request succeeded with <paramref name="key"/>, which ends a rejection of it.</summary>
    public void ReportAccepted(OpenAIKey key) => _own?.ReportAccepted(key);

    /// <summary>Logs a 429 that reaches the caller, saying what to do about it.</summary>
    public void ReportTooManyRequests(OpenAIKey? key, OpenAIErrorBody error)
    {
        var fingerprint = key?.Fingerprint ?? "(none)";
        if (error.QuotaKind == OpenAIQuotaKind.InsufficientQuota)
        {
            if (_answers.First(OpenAIAnswerKind.InsufficientQuota, key, "insufficient_quota"))
            {
                OpenAILog.InsufficientQuota(Logger, ProviderName, fingerprint);
            }
        }
        else if (_answers.First(OpenAIAnswerKind.RateLimited, key, error.Describe()))
        {
            OpenAILog.RateLimited(Logger, ProviderName, fingerprint, error.Describe());
        }
    }
}
