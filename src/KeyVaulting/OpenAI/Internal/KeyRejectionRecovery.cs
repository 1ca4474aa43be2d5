using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Decides what happens after OpenAI answered 401 to a key, for both the SDK pipeline policy and the
/// <see cref="HttpClient"/> handler: send once more with a newer key, or give the 401 back to the caller.
/// </summary>
/// <remarks>
/// When the provider already holds a different key (a rotation happened while the request was in flight), that key
/// is used without reading the store. Otherwise the provider re-reads its sources; concurrent 401s share that one
/// read, because <see cref="IOpenAIKeyProvider.RefreshAsync"/> is single-flight and rate-limited. Each outcome is
/// counted on <c>keyvaulting.openai.key_rejections</c>, each 429 that reaches the caller on
/// <c>keyvaulting.openai.too_many_requests</c>.
/// </remarks>
internal sealed class KeyRejectionRecovery(IOpenAIKeyProvider provider, string providerName, ILogger logger, OpenAIClientMetrics? metrics = null)
{
    public string ProviderName { get; } = providerName;

    public ILogger Logger { get; } = logger;

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
        // A span around the recovery: the source reads of a refresh it forces are its children.
        using var activity = OpenAIClientMetrics.ActivitySource.StartActivity(OpenAIClientMetrics.KeyRejectionActivity);
        activity?.SetTag(OpenAIClientMetrics.ProviderTag, ProviderName);
        activity?.SetTag(OpenAIClientMetrics.ErrorTag, error.Describe());

        OpenAIKey candidate;
        try
        {
            candidate = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
            if (candidate == rejected)
            {
                candidate = await provider.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OpenAILog.KeyRefreshFailed(Logger, ProviderName, rejected.Fingerprint, ex.GetType().Name, ex);
            Record(activity, OpenAIClientMetrics.RefreshFailed, failed: true);
            return null;
        }

        if (candidate == rejected)
        {
            OpenAILog.KeyRejectedUnchanged(Logger, ProviderName, rejected.Fingerprint, error.Describe(), rejected.Source);
            Record(activity, OpenAIClientMetrics.KeyUnchanged, failed: true);
            return null;
        }

        if (!canResend)
        {
            OpenAILog.KeyRejectedCannotResend(Logger, ProviderName, rejected.Fingerprint, error.Describe(), candidate.Fingerprint);
            Record(activity, OpenAIClientMetrics.NotResendable, failed: true);
            return null;
        }

        OpenAILog.KeyRejectedRetrying(Logger, ProviderName, rejected.Fingerprint, error.Describe(), candidate.Fingerprint, candidate.Source);
        Record(activity, OpenAIClientMetrics.Resent, failed: false);
        return candidate;
    }

    /// <summary>Logs that the key sent on the single extra try was rejected as well.</summary>
    public void ReportRejectedAgain(OpenAIKey key, OpenAIErrorBody error)
    {
        OpenAILog.RefreshedKeyRejected(Logger, ProviderName, key.Fingerprint, error.Describe(), key.Source);
        metrics?.RecordKeyRejection(ProviderName, OpenAIClientMetrics.RejectedAgain);
    }

    /// <summary>Logs a 429 that reaches the caller, saying what to do about it.</summary>
    public void ReportTooManyRequests(OpenAIKey? key, OpenAIErrorBody error)
    {
        var fingerprint = key?.Fingerprint ?? "(none)";
        metrics?.RecordTooManyRequests(ProviderName, error.QuotaKind);
        if (error.QuotaKind == OpenAIQuotaKind.InsufficientQuota)
        {
            OpenAILog.InsufficientQuota(Logger, ProviderName, fingerprint);
        }
        else
        {
            OpenAILog.RateLimited(Logger, ProviderName, fingerprint, error.Describe());
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
