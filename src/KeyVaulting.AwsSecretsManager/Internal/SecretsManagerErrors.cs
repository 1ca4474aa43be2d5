using System.Globalization;
using System.Net;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Turns a Secrets Manager error answer into what the provider acts on: absence (the chain goes on) or an
/// <see cref="OpenAIKeySourceException"/> that names the cause and the fix, transient when retrying can help.
/// </summary>
internal sealed class SecretsManagerErrors(string sourceName, string secretId, string versionSelector, string credentialsDescription)
{
    private static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The codes by which AWS says "slow down".</summary>
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
    };

    /// <summary>The codes by which AWS says "the signature or the credentials are wrong".</summary>
    private static readonly HashSet<string> SignatureCodes = new(StringComparer.Ordinal)
    {
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
    };

    private static readonly HashSet<string> UnrecognizedCredentialCodes = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidClientTokenId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    };

    private static readonly HashSet<string> ExpiredTokenCodes = new(StringComparer.Ordinal)
    {
        "ExpiredTokenException", "ExpiredToken",
    };

    private static readonly HashSet<string> ServerFaultCodes = new(StringComparer.Ordinal)
    {
        "InternalServiceError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException",
    };

    /// <summary>
    /// Maps an error answer: returns <see cref="OpenAIKeySourceResult.NotFound(string)"/> for a missing secret or
    /// version, or throws.
    /// </summary>
    public OpenAIKeySourceResult Map(
        HttpStatusCode status, AwsJsonError error, ResolvedAwsCredentials credentials, TimeSpan? retryAfter, DateTimeOffset? serverDate, DateTimeOffset now)
    {
        var code = error.Code;
        var aws = error.SafeMessage(credentials.Values);
        var said = aws is null ? string.Empty : $" AWS said: \"{aws}\"";
        var requestId = error.RequestId is { Length: > 0 } id ? $" (AWS request id {id})" : string.Empty;
        var statusText = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}");

        if (code == "ResourceNotFoundException")
        {
            return OpenAIKeySourceResult.NotFound($"Secrets Manager has no secret '{secretId}' with {versionSelector}{(aws is null ? string.Empty : $" ({aws})")}");
        }

        if (code == "AccessDeniedException")
        {
            var kms = aws?.Contains("KMS", StringComparison.OrdinalIgnoreCase) == true;
            throw Fail(
                kms
                    ? $"access denied by KMS: the identity of {credentialsDescription} may read the secret but not decrypt it.{said} " +
                      "Allow kms:Decrypt on the secret's customer-managed KMS key to that identity."
                    : $"access denied: the identity of {credentialsDescription} is not allowed secretsmanager:GetSecretValue on this secret.{said} " +
                      "Allow secretsmanager:GetSecretValue on the secret's ARN to that identity (identity policy or the secret's resource policy); " +
                      "if the secret is encrypted with a customer-managed KMS key, also allow kms:Decrypt on that key.",
                transient: false);
        }

        if (code == "DecryptionFailure")
        {
            throw Fail(
                $"Secrets Manager could not decrypt the secret with its KMS key (DecryptionFailure).{said} " +
                $"Allow kms:Decrypt on the secret's KMS key to the identity of {credentialsDescription}, and check that the key is enabled and not pending deletion.",
                transient: false);
        }

        if (code is not null && UnrecognizedCredentialCodes.Contains(code))
        {
            throw Fail(
                $"AWS does not recognize the credentials of {credentialsDescription} ({code}): the access key id or session token is wrong, " +
                $"deleted or inactive, or belongs to another AWS partition.{said} Fix or renew those credentials.",
                transient: false);
        }

        if (code is not null && ExpiredTokenCodes.Contains(code))
        {
            if (AwsCredentialsProvider.TryClear(credentials.Source))
            {
                throw Fail(
                    $"the session token of {credentialsDescription} had expired ({code}); the temporary credentials were discarded and are renewed on the next attempt.",
                    transient: true,
                    retryAfter);
            }

            throw Fail(
                $"the session token of {credentialsDescription} has expired ({code}).{said} " +
                "Get new temporary credentials (aws sso login, or renew AWS_SESSION_TOKEN or the profile's aws_session_token), or use credentials that renew themselves.",
                transient: false);
        }

        if (code is not null && SignatureCodes.Contains(code))
        {
            var expired = aws is not null && (aws.Contains("expired", StringComparison.OrdinalIgnoreCase) || aws.Contains("not yet current", StringComparison.OrdinalIgnoreCase));
            var skew = serverDate is { } date ? now - date : (TimeSpan?)null;
            if (expired || (skew is { } s && s.Duration() > AllowedClockSkew))
            {
                var measured = skew is { } d
                    ? string.Create(CultureInfo.InvariantCulture, $" This machine's clock is {d.Duration().TotalMinutes:0.#} minutes {(d > TimeSpan.Zero ? "ahead of" : "behind")} AWS's.")
                    : string.Empty;
                throw Fail(
                    $"AWS rejected the request's signature as expired ({code}): this machine's clock differs from AWS's by more than 5 minutes.{measured} Synchronize the clock (NTP).",
                    transient: false);
            }

            throw Fail(
                $"AWS rejected the request's signature ({code}): the secret access key of {credentialsDescription} does not match its access key id.{said} " +
                "Fix the secret access key (AWS_SECRET_ACCESS_KEY, the profile's aws_secret_access_key, or the configured credentials).",
                transient: false);
        }

        if ((code is not null && ThrottlingCodes.Contains(code)) || status == HttpStatusCode.TooManyRequests)
        {
            throw Fail($"Secrets Manager is throttling requests ({code ?? statusText}); retrying later.{said}", transient: true, retryAfter);
        }

        if ((code is not null && ServerFaultCodes.Contains(code)) || (int)status >= 500)
        {
            throw Fail($"Secrets Manager failed ({statusText}{(code is null ? string.Empty : $" {code}")}); retrying later.{said}", transient: true, retryAfter);
        }

        if (code == "InvalidRequestException")
        {
            var deleted = aws is not null && (aws.Contains("delet", StringComparison.OrdinalIgnoreCase));
            throw Fail(
                deleted
                    ? $"the secret is scheduled for deletion, so it cannot be read.{said} Restore it (aws secretsmanager restore-secret --secret-id {secretId}) or point the source at another secret."
                    : $"Secrets Manager refused the request for the secret's current state (InvalidRequestException).{said} " +
                      $"The usual cause is a secret scheduled for deletion: restore it (aws secretsmanager restore-secret --secret-id {secretId}) or point the source at another secret.",
                transient: false);
        }

        if (code is "InvalidParameterException" or "ValidationException")
        {
            throw Fail($"Secrets Manager rejected a parameter ({code}).{said} Check SecretId, Version and VersionStage.", transient: false);
        }

        if (code is null)
        {
            throw Fail(
                $"the endpoint answered {statusText} without an AWS error code: it does not look like Secrets Manager. " +
                "Check ServiceUrl and any proxy between this application and AWS.",
                transient: false);
        }

        throw Fail($"Secrets Manager answered {statusText} {code}.{said}", transient: false);

        OpenAIKeySourceException Fail(string problem, bool transient, TimeSpan? wait = null)
            => new(sourceName, problem + requestId, transient, wait);
    }
}
