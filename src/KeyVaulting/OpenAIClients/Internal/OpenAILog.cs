using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Log messages of the OpenAI client wiring (event ids 400–499; 408 is retired: a plain-http endpoint on another machine is refused, no longer logged). No message takes a key value, at any level: keys
/// appear only as fingerprints, endpoints without user information, OpenAI errors only by type and code. The 401 and
/// 429 messages (400–405, 409) are logged for the first answer of a run; <see cref="OpenAIAnswerLog"/> summarizes the
/// rest (414, 415).
/// </summary>
internal static partial class OpenAILog
{
    [LoggerMessage(400, LogLevel.Information, "OpenAI answered 401 to key {OldFingerprint} of OpenAI key provider '{ProviderName}' (error {ErrorCode}); sending the request once more with key {NewFingerprint} from {SourceName}.")]
    public static partial void KeyRejectedRetrying(ILogger logger, string providerName, string oldFingerprint, string errorCode, string newFingerprint, string sourceName);

    [LoggerMessage(401, LogLevel.Warning, "OpenAI rejected key {Fingerprint} of OpenAI key provider '{ProviderName}' with 401 (error {ErrorCode}) and {SourceName} still holds the same key. Likely causes: the key was revoked or deleted, its project was archived, or the OpenAI-Organization / OpenAI-Project settings name an organization or project the key does not belong to. Put a valid key in the store or fix OrganizationId/ProjectId; the request is not retried.")]
    public static partial void KeyRejectedUnchanged(ILogger logger, string providerName, string fingerprint, string errorCode, string sourceName);

    [LoggerMessage(402, LogLevel.Warning, "OpenAI also rejected the refreshed key {Fingerprint} of OpenAI key provider '{ProviderName}' with 401 (error {ErrorCode}). The request is not retried again. Check that the key in {SourceName} is valid and belongs to the configured organization and project.")]
    public static partial void RefreshedKeyRejected(ILogger logger, string providerName, string fingerprint, string errorCode, string sourceName);

    [LoggerMessage(403, LogLevel.Warning, "OpenAI answered 401 to key {Fingerprint} of OpenAI key provider '{ProviderName}' and the key could not be re-read ({ErrorType}); the 401 is returned to the caller.")]
    public static partial void KeyRefreshFailed(ILogger logger, string providerName, string fingerprint, string errorType, Exception exception);

    [LoggerMessage(409, LogLevel.Warning, "OpenAI answered 401 to key {OldFingerprint} of OpenAI key provider '{ProviderName}' (error {ErrorCode}); the provider now holds key {NewFingerprint}, but this request's content cannot be sent twice, so the 401 is returned. Later requests use the new key; send content that can be re-read (string, bytes, JSON) to have such requests retried.")]
    public static partial void KeyRejectedCannotResend(ILogger logger, string providerName, string oldFingerprint, string errorCode, string newFingerprint);

    [LoggerMessage(404, LogLevel.Error, "OpenAI answered 429 insufficient_quota to key {Fingerprint} of OpenAI key provider '{ProviderName}': the account or project has run out of credits or reached its budget. Add credits or raise the limit in the OpenAI dashboard (Settings > Billing / Limits); the request is not retried, because retrying cannot succeed until then.")]
    public static partial void InsufficientQuota(ILogger logger, string providerName, string fingerprint);

    [LoggerMessage(405, LogLevel.Warning, "OpenAI answered 429 {ErrorCode} to key {Fingerprint} of OpenAI key provider '{ProviderName}' and the caller gets the 429: requests or tokens per minute are over the rate limit. Slow down: send fewer or smaller requests, spread them out, or ask OpenAI for a higher limit.")]
    public static partial void RateLimited(ILogger logger, string providerName, string fingerprint, string errorCode);

    [LoggerMessage(416, LogLevel.Warning, "OpenAI answered {StatusCode} to key {Fingerprint} of OpenAI key provider '{ProviderName}' and asked to wait {RetryAfter} before trying again, more than the minute a request waits for a retry: the caller gets the {StatusCode} now instead of a call that hangs that long. Send the request again after that time, or lower the rate of requests.")]
    public static partial void RetryHintTooLong(ILogger logger, string providerName, string fingerprint, int statusCode, TimeSpan retryAfter);

    [LoggerMessage(406, LogLevel.Information, "OpenAI accepted key {Fingerprint} of OpenAI key provider '{ProviderName}' at {Endpoint} (startup validation).")]
    public static partial void StartupValidationSucceeded(ILogger logger, string providerName, string fingerprint, string endpoint);

    [LoggerMessage(407, LogLevel.Warning, "Could not validate key {Fingerprint} of OpenAI key provider '{ProviderName}' at {Endpoint}: {Reason} Starting anyway; set StrictStartupValidation to fail startup instead.")]
    public static partial void StartupValidationInconclusive(ILogger logger, string providerName, string fingerprint, string endpoint, string reason);

    [LoggerMessage(410, LogLevel.Debug, "HttpClient '{HttpClientName}' sent {HttpMethod} {Uri}: HTTP {StatusCode} in {ElapsedMilliseconds} ms.")]
    public static partial void HttpRequestCompleted(ILogger logger, string httpClientName, string httpMethod, string uri, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(411, LogLevel.Debug, "HttpClient '{HttpClientName}' sent {HttpMethod} {Uri} and got no answer after {ElapsedMilliseconds} ms ({ErrorType}).")]
    public static partial void HttpRequestFailed(ILogger logger, string httpClientName, string httpMethod, string uri, double elapsedMilliseconds, string errorType);

    [LoggerMessage(412, LogLevel.Warning, "HttpClient '{HttpClientName}' sent a request to {Origin} without the key of OpenAI key provider '{ProviderName}': the key goes only to {KeyOrigin} ({KeyOriginSetting}), and never over plain http to another machine. If {Origin} is where OpenAI's API is, set the client's BaseAddress to it; to call another origin with the key too, register another HttpClient with that BaseAddress and AddOpenAIKeyHandler(). Logged once per origin.")]
    public static partial void SentWithoutKey(ILogger logger, string httpClientName, string origin, string providerName, string keyOrigin, string keyOriginSetting);

    [LoggerMessage(EventId = 414, Message = "OpenAI key provider '{ProviderName}': {Count} more {Answer} for key {Fingerprint} in the last {Interval}, {Total} since {Since}. {Advice}")]
    public static partial void AnswersRepeated(ILogger logger, LogLevel level, string providerName, long count, string answer, string fingerprint, TimeSpan interval, long total, DateTimeOffset since, string advice);

    [LoggerMessage(415, LogLevel.Information, "OpenAI key provider '{ProviderName}': no more {Answer} for key {Fingerprint} ({Reason}); {Total} in all, from {Since} for {Duration}.")]
    public static partial void AnswersStopped(ILogger logger, string providerName, string answer, string fingerprint, string reason, long total, DateTimeOffset since, TimeSpan duration);

    [LoggerMessage(413, LogLevel.Warning, "A request of OpenAI key provider '{ProviderName}' to {KeyOrigin} was redirected to {RedirectTarget}, which answered 401. The key goes only to the address a request was made for, so it is not re-read and the request is not sent again. OpenAI's API does not redirect: check the client's BaseAddress and any proxy on the way.")]
    public static partial void RedirectedRequestRejected(ILogger logger, string providerName, string keyOrigin, string redirectTarget);
}
