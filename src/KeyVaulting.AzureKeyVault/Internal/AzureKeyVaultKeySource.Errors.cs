using System.Net.Http;
using System.Text.Json;
using Azure;
using Azure.Identity;
using KeyVaulting.AzureKeyVault.Diagnostics;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>Turns the Azure SDK's exceptions into messages a user can act on.</summary>
internal sealed partial class AzureKeyVaultKeySource
{
    private const string EnableHint =
        "Enable it (az keyvault secret set-attributes --enabled true, or the portal), or add a new enabled version.";

    private const string PermissionHint =
        "grant it the 'Key Vault Secrets User' role on the vault or the secret (Azure RBAC vaults; role assignments " +
        "take a few minutes to apply), or a 'get' secret permission in the vault's access policies (access-policy vaults)";

    private OpenAIKeySourceException? TryTranslate(Exception exception)
    {
        // The SDK's retry policy wraps the attempts' exceptions once it gives up; the last one says why.
        var cause = exception is AggregateException { InnerExceptions.Count: > 0 } aggregate
            ? aggregate.InnerExceptions[^1]
            : exception;

        // Only that cause is kept as the inner exception: the retry policy's AggregateException holds one identical
        // exception per attempt.
        return cause switch
        {
            AuthenticationFailedException auth => FromCredential(auth, auth),
            RequestFailedException { Status: 0 } transport => FromTransport(transport, transport),
            RequestFailedException failed => FromResponse(failed),
            OperationCanceledException => new OpenAIKeySourceException(
                Name,
                $"Azure Key Vault {VaultUri} did not answer in time (the client's NetworkTimeout) when reading {Secret}.",
                isTransient: true,
                innerException: cause),
            ResponseTooLargeException => new OpenAIKeySourceException(
                Name,
                $"The answer of {VaultUri} to the read of {Secret} is larger than {ResponseSizeLimitPolicy.MaxResponseBytes / 1024} KiB, the most KeyVaulting reads, which no Key Vault answer is; it was not read. " +
                "Check VaultUri and any proxy between this application and Azure.",
                isTransient: false),
            IOException => new OpenAIKeySourceException(
                Name,
                $"The connection to Azure Key Vault {VaultUri} broke while reading its answer to the read of {Secret}. It is read again with backoff.",
                isTransient: true,
                innerException: cause),

            // Not passed on as the inner exception: the parser's message quotes characters of the answer, which may
            // be the secret's.
            JsonException => new OpenAIKeySourceException(
                Name,
                $"The answer of {VaultUri} to the read of {Secret} is not Key Vault's JSON (a proxy's or a sign-in page?). " +
                "Check VaultUri and any proxy between this application and Azure.",
                isTransient: false),
            _ => null,
        };
    }

    private OpenAIKeySourceException FromCredential(AuthenticationFailedException exception, Exception thrown)
    {
        Log.AuthenticationFailed(_logger, Name, VaultUri, CredentialName, exception.GetType().Name);
        var unavailable = exception is CredentialUnavailableException;
        var hint = unavailable
            ? "This credential cannot be used in this environment: configure it (managed identity assigned to the app, " +
              "workload identity federation, az login, …) or choose another credential."
            : "Check the credential's settings (tenant, client id, secret or certificate) and that the identity exists.";
        return new OpenAIKeySourceException(
            Name,
            $"{CredentialName} could not get a token for Azure Key Vault {VaultUri}: {Sentences.EndWithPeriod(exception.Message)} {hint}",
            isTransient: !unavailable && IsTransientAuthenticationFailure(exception),
            innerException: thrown);
    }

    private OpenAIKeySourceException FromTransport(RequestFailedException exception, Exception thrown)
    {
        var reason = Sentences.Innermost(exception).Message;
        Log.RequestFailed(_logger, Name, VaultUri, "no response: " + Sentences.Innermost(exception).GetType().Name);
        return new OpenAIKeySourceException(
            Name,
            $"Azure Key Vault {VaultUri} could not be reached to read {Secret}: {Sentences.EndWithPeriod(reason)} Check VaultUri, DNS, the network and the vault's firewall.",
            isTransient: true,
            innerException: thrown);
    }

    /// <remarks>
    /// The SDK's exception is not passed on as the inner exception: its message holds the raw body of the answer,
    /// which something between the application and Key Vault (a proxy, a debugging endpoint) could fill with the
    /// request's token or a key. What matters of it is in this message: status, codes, request id and the first
    /// line of Key Vault's message, with anything shaped like a secret masked.
    /// </remarks>
    private OpenAIKeySourceException FromResponse(RequestFailedException exception)
    {
        var error = KeyVaultError.From(exception, _time.GetUtcNow());
        Log.RequestFailed(_logger, Name, VaultUri, error.Describe());
        var status = error.Describe();

        return error.Status switch
        {
            401 => new OpenAIKeySourceException(
                Name,
                $"Azure Key Vault {VaultUri} rejected the token of {CredentialName} when reading {Secret} ({status}). " +
                "The identity must belong to the vault's Microsoft Entra tenant, and the token must be for Key Vault " +
                "(scope https://vault.azure.net/.default).",
                isTransient: false),
            403 => Forbidden(error),
            408 or 429 or >= 500 => new OpenAIKeySourceException(
                Name,
                error.Status == 429
                    ? $"Azure Key Vault {VaultUri} is throttling requests ({status}); {Secret} will be read again{DescribeRetryAfter(error.RetryAfter)}."
                    : $"Azure Key Vault {VaultUri} failed to read {Secret} ({status}); this is usually temporary and it will be read again{DescribeRetryAfter(error.RetryAfter)}.",
                isTransient: true,
                error.RetryAfter),
            _ => new OpenAIKeySourceException(
                Name,
                $"Azure Key Vault {VaultUri} refused to read {Secret} ({status}){(error.Message is null ? "." : $": {error.Message}")}",
                isTransient: false),
        };
    }

    private OpenAIKeySourceException Forbidden(KeyVaultError error)
    {
        var status = error.Describe();
        var message = error.InnerCode switch
        {
            "SecretDisabled" =>
                $"Azure Key Vault {VaultUri} refused to read {Secret} because the secret is disabled ({status}). {EnableHint}",
            "SecretExpired" =>
                $"Azure Key Vault {VaultUri} refused to read {Secret} because the secret has expired ({status}). Add a new version holding a valid key.",
            "ForbiddenByFirewall" =>
                $"Azure Key Vault {VaultUri} refused to read {Secret}: its firewall does not allow this client's network " +
                $"({status}). Allow the application's network (private endpoint, virtual network or IP rule). The secret is not disabled.",
            _ =>
                $"Azure Key Vault {VaultUri} denied access to {Secret} for the identity of {CredentialName} ({status}); the " +
                $"secret is not disabled, the identity lacks permission to read it: {PermissionHint}." +
                (error.Message is null ? string.Empty : $" Key Vault said: {error.Message}"),
        };

        return new OpenAIKeySourceException(Name, message, isTransient: false);
    }

    private static bool IsTransientAuthenticationFailure(AuthenticationFailedException exception)
        => exception.InnerException is { } inner && IsTransientCause(inner);

    private static bool IsTransientCause(Exception exception) => exception switch
    {
        HttpRequestException or TimeoutException or OperationCanceledException => true,
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransientCause),
        _ => exception.InnerException is { } inner && IsTransientCause(inner),
    };

    private static string DescribeRetryAfter(TimeSpan? retryAfter)
        => retryAfter is { } wait ? $" after {wait} (Retry-After)" : " with backoff";
}
