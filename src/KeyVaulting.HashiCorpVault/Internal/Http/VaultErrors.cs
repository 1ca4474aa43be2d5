namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>Turns an unsuccessful Vault answer into an <see cref="OpenAIKeySourceException"/> with the right transience.</summary>
internal static class VaultErrors
{
    /// <summary>Creates the exception for a failed <paramref name="operation"/>.</summary>
    /// <param name="sourceName">The source.</param>
    /// <param name="response">Vault's answer (status 400 or more).</param>
    /// <param name="operation">What was attempted, for example <c>the read of secret/data/openai</c>.</param>
    /// <param name="fix">What to check when Vault refused the request for good (4xx).</param>
    public static OpenAIKeySourceException Failure(string sourceName, VaultResponse response, string operation, string fix)
    {
        var detail = response.Describe();
        return response.Status switch
        {
            429 => new OpenAIKeySourceException(
                sourceName,
                $"Vault is rate limiting requests ({detail}) and refused {operation}; it is retried with backoff. If this persists, raise the rate limit quota or lower the refresh rate.",
                isTransient: true,
                response.RetryAfter),
            503 => new OpenAIKeySourceException(
                sourceName,
                $"Vault is unavailable for {operation} ({detail}): it is sealed, a standby without a reachable active node, or down for maintenance. It is retried with backoff; unseal Vault or check its cluster.",
                isTransient: true,
                response.RetryAfter),
            408 or 412 => new OpenAIKeySourceException(
                sourceName,
                $"Vault could not complete {operation} yet ({detail}); it is retried with backoff.",
                isTransient: true,
                response.RetryAfter),
            >= 500 => new OpenAIKeySourceException(
                sourceName,
                $"Vault failed {operation} ({detail}); it is retried with backoff.",
                isTransient: true,
                response.RetryAfter),
            _ => new OpenAIKeySourceException(
                sourceName,
                $"Vault refused {operation} ({detail}). {fix}",
                isTransient: false),
        };
    }
}
