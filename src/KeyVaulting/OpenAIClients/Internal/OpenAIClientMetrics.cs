using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The OpenAI client wiring's instruments on the <c>KeyVaulting</c> meter: what happened after a 401, and the 429s that
/// reached the caller, by kind. Tags carry the provider's name and fixed words, never a key.
/// </summary>
internal sealed class OpenAIClientMetrics
{
    public const string KeyRejectionsInstrument = "keyvaulting.openai.key_rejections";
    public const string TooManyRequestsInstrument = "keyvaulting.openai.too_many_requests";

    /// <summary>The span around what happens after a 401: re-reading the key, and the decision to send again or not.</summary>
    public const string KeyRejectionActivity = "KeyVaulting.KeyRejection";

    public const string ProviderTag = "keyvaulting.provider";
    public const string OutcomeTag = "keyvaulting.outcome";
    public const string ErrorTag = "keyvaulting.openai.error";

    /// <summary>The request was sent once more with a newer key.</summary>
    public const string Resent = "resent";

    /// <summary>The store still holds the rejected key: the 401 goes back to the caller.</summary>
    public const string KeyUnchanged = "key_unchanged";

    /// <summary>A newer key exists but the request's content cannot be sent twice (HttpClient handler only).</summary>
    public const string NotResendable = "not_resendable";

    /// <summary>Re-reading the key after the 401 failed.</summary>
    public const string RefreshFailed = "refresh_failed";

    /// <summary>The newer key, sent on the extra try, was rejected too.</summary>
    public const string RejectedAgain = "rejected_again";

    public const string InsufficientQuota = "insufficient_quota";
    public const string RateLimitExceeded = "rate_limit_exceeded";

    /// <summary>The OpenAI wiring's own handle on the <c>KeyVaulting</c> activity source (same name as the provider's).</summary>
    public static readonly ActivitySource ActivitySource = new(KeyVaultingInstrumentation.ActivitySourceName);

    /// <summary>Used when the application registers no <see cref="IMeterFactory"/>: one meter for the process.</summary>
    private static readonly Lazy<Meter> FallbackMeter = new(() => new Meter(KeyVaultingInstrumentation.MeterName));

    private readonly Counter<long> _keyRejections;
    private readonly Counter<long> _tooManyRequests;

    public OpenAIClientMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(KeyVaultingInstrumentation.MeterName) ?? FallbackMeter.Value;
        _keyRejections = meter.CreateCounter<long>(KeyRejectionsInstrument, unit: "{rejection}", description: "401 answers to a KeyVaulting key, by what happened next.");
        _tooManyRequests = meter.CreateCounter<long>(TooManyRequestsInstrument, unit: "{response}", description: "429 answers that reached the caller, by OpenAI error (insufficient_quota or rate_limit_exceeded).");
    }

    public void RecordKeyRejection(string providerName, string outcome)
        => _keyRejections.Add(1, new TagList { { ProviderTag, providerName }, { OutcomeTag, outcome } });

    public void RecordTooManyRequests(string providerName, OpenAIQuotaKind kind)
        => _tooManyRequests.Add(1, new TagList
        {
            { ProviderTag, providerName },
            { ErrorTag, kind == OpenAIQuotaKind.InsufficientQuota ? InsufficientQuota : RateLimitExceeded },
        });
}
