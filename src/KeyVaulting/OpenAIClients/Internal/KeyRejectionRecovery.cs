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
/// <para>
/// Each outcome is counted on <c>keyvaulting.openai.key_rejections</c> and traced as a span; each 429 that reaches the
/// caller is counted on <c>keyvaulting.openai.too_many_requests</c>.
/// </para>
/// </remarks>
internal sealed class KeyRejectionRecovery(IOpenAIKeyProvider provider, string providerName, ILogger logger, TimeSpan? errorLogInterval = null, OpenAIClientMetrics? metrics = null)
{
#if KEYVAULTING_CORE
    // KeyVaulting's own provider learns of the rejection (health, prompt re-reads). KeyVaulting.AzureOpenAI compiles
    // this file in and cannot see that internal type: there, any provider is asked to refresh, as another one is here.
    private readonly OpenAIKeyProvider? _own = provider as OpenAIKeyProvider;
#endif
    private readonly OpenAIAnswerLog _answers = OpenAIAnswerLog.For(provider, providerName, logger, errorLogInterval);

    public string ProviderName { get; } = providerName;

    public ILogger Logger { get; } = logger;

    /// <summary>Gets a value indicating whether the provider waits to hear that a request succeeded with its rejected key: one volatile read.</summary>
#if KEYVAULTING_CORE
    public bool AwaitsAcceptance => _own is { } own && own.IsKeyRejected();
#else
    public bool AwaitsAcceptance => false;
#endif

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
        // A span around the recovery: the source reads of a refresh it forces are its children.
        using var activity = OpenAIClientMetrics.ActivitySource.StartActivity(OpenAIClientMetrics.KeyRejectionActivity);
        activity?.SetTag(OpenAIClientMetrics.ProviderTag, ProviderName);
        activity?.SetTag(OpenAIClientMetrics.ErrorTag, code);

        OpenAIKey candidate;
        try
        {
#if KEYVAULTING_CORE
            if (_own is not null)
            {
                candidate = await _own.RecoverAsync(rejected, code, cancellationToken).ConfigureAwait(false);
            }
            else
#endif
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

            Record(activity, OpenAIClientMetrics.RefreshFailed, failed: true);
            return null;
        }

        if (candidate == rejected)
        {
            if (_answers.First(OpenAIAnswerKind.KeyUnchanged, rejected, code))
            {
                OpenAILog.KeyRejectedUnchanged(Logger, ProviderName, rejected.Fingerprint, code, rejected.Source);
            }

            Record(activity, OpenAIClientMetrics.KeyUnchanged, failed: true);
            return null;
        }

        if (!canResend)
        {
            if (_answers.First(OpenAIAnswerKind.NotResendable, rejected, code))
            {
                OpenAILog.KeyRejectedCannotResend(Logger, ProviderName, rejected.Fingerprint, code, candidate.Fingerprint);
            }

            Record(activity, OpenAIClientMetrics.NotResendable, failed: true);
            return null;
        }

        if (_answers.First(OpenAIAnswerKind.Resent, rejected, code))
        {
            OpenAILog.KeyRejectedRetrying(Logger, ProviderName, rejected.Fingerprint, code, candidate.Fingerprint, candidate.Source);
        }

        Record(activity, OpenAIClientMetrics.Resent, failed: false);
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

        metrics?.RecordKeyRejection(ProviderName, OpenAIClientMetrics.RejectedAgain);
    }

    /// <summary>Tells the provider that a request succeeded with <paramref name="key"/>, which ends a rejection of it.</summary>
    public void ReportAccepted(OpenAIKey key)
    {
#if KEYVAULTING_CORE
        _own?.ReportAccepted(key);
#endif
    }

    /// <summary>Logs a 429 that reaches the caller, saying what to do about it.</summary>
    public void ReportTooManyRequests(OpenAIKey? key, OpenAIErrorBody error)
    {
        var fingerprint = key?.Fingerprint ?? "(none)";
        metrics?.RecordTooManyRequests(ProviderName, error.QuotaKind);
        if (error.QuotaKind == OpenAIQuotaKind.InsufficientQuota)
        {
            // Stryker disable once String : the error text of an episode is shown only for the other kinds of answer (OpenAIAnswerLog.Answer)
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

    /// <summary>Logs an answer that is not retried because it asks to wait longer than a request waits.</summary>
    public void ReportLongRetryHint(OpenAIKey? key, int status, TimeSpan retryAfter)
    {
        if (_answers.First(OpenAIAnswerKind.LongRetryHint, key, status.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            OpenAILog.RetryHintTooLong(Logger, ProviderName, key?.Fingerprint ?? "(none)", status, retryAfter);
        }
    }

    private void Record(System.Diagnostics.Activity? activity, string outcome, bool failed)
    {
        metrics?.RecordKeyRejection(ProviderName, outcome);
        activity?.SetTag(OpenAIClientMetrics.OutcomeTag, outcome);
        if (failed)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
        }
    }
}
