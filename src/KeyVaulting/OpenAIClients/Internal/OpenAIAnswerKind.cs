namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>The kinds of OpenAI answers whose repeats <see cref="OpenAIAnswerLog"/> summarizes instead of logging each.</summary>
internal enum OpenAIAnswerKind
{
    /// <summary>A 401, and the request was sent once more with a newer key (event 400).</summary>
    Resent,

    /// <summary>A 401 returned to the caller: the sources still hold the rejected key (event 401).</summary>
    KeyUnchanged,

    /// <summary>A 401 to the refreshed key sent on the extra try (event 402).</summary>
    RejectedAgain,

    /// <summary>A 401 returned because the key could not be re-read (event 403).</summary>
    RefreshFailed,

    /// <summary>A 401 returned because the request's content cannot be sent twice (event 409).</summary>
    NotResendable,

    /// <summary>A 429 <c>insufficient_quota</c> (event 404).</summary>
    InsufficientQuota,

    /// <summary>A 429 rate limit that reached the caller (event 405).</summary>
    RateLimited,

    /// <summary>An answer not retried because its retry hint asks for more than a minute (event 416).</summary>
    LongRetryHint,
}
