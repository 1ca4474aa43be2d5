namespace KeyVaulting;

/// <summary>
/// Tells the two kinds of HTTP 429 that OpenAI answers apart: a rate limit, which passes, and an exhausted quota,
/// which does not. Get it with <see cref="OpenAIErrors.GetQuotaKind(System.ClientModel.ClientResultException)"/>.
/// </summary>
public enum OpenAIQuotaKind
{
    /// <summary>The answer is not a 429 (or there is no answer).</summary>
    None = 0,

    /// <summary>
    /// A 429 <c>rate_limit_exceeded</c> (or a 429 that names no quota error): too many requests or tokens per minute.
    /// Transient: slow down, and retry after the delay the answer suggests.
    /// </summary>
    RateLimitExceeded = 1,

    /// <summary>
    /// A 429 <c>insufficient_quota</c>: the account or project has no credits left or reached its budget. Not
    /// transient: every retry fails until someone adds credits or raises the limit in the OpenAI dashboard.
    /// </summary>
    InsufficientQuota = 2,
}
