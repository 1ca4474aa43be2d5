using System.Net;
using Amazon.Runtime;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Explains why AWS credentials could not be had: which kind of credentials (web identity, assume role, IAM Identity
/// Center), what AWS said (its error code and a masked message) and the fix. Never a token, a secret access key or a
/// session token: the AWS message is masked and the web identity token is never read here.
/// </summary>
internal static class AwsCredentialFailure
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "IDPCommunicationError",
    };

    /// <summary>Names the kind of credentials, with the non-secret settings that identify them.</summary>
    public static string Kind(AWSCredentials credentials) => credentials switch
    {
        AssumeRoleWithWebIdentityCredentials web =>
            $"web identity credentials (AssumeRoleWithWebIdentity of role {web.RoleArn} with the token in {web.WebIdentityTokenFile}; " +
            "set by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or a profile's web_identity_token_file and role_arn)",
        AssumeRoleAWSCredentials assume =>
            $"assume role credentials (AssumeRole of role {assume.RoleArn} with the credentials of the profile's source_profile or credential_source, " +
            $"{assume.SourceCredentials?.GetType().Name ?? "none"})",
        SSOAWSCredentials sso =>
            $"IAM Identity Center (SSO) credentials (role {sso.RoleName} in account {sso.AccountId}, start URL {sso.StartUrl})",
        _ => credentials.GetType().Name,
    };

    /// <summary>The message and whether retrying may help, for a failure of <paramref name="credentials"/>.</summary>
    public static (string Message, bool Transient) Describe(string description, AWSCredentials credentials, Exception exception)
    {
        var kind = Kind(credentials);
        var prefix = $"{description} could not supply AWS credentials: {kind}";

        if (exception is ProcessAWSCredentialException)
        {
            return ($"{prefix}: {nameof(ProcessAWSCredentialException)} (the credential_process of the profile failed; its output is not shown as it may hold secrets).", true);
        }

        if (Find<AmazonServiceException>(exception) is { } service)
        {
            var code = service.ErrorCode ?? service.StatusCode.ToString();
            var said = $" AWS said: {code}: {Sentence(service.Message)}";
            var (fix, transient) = Fix(credentials, code, service.StatusCode);
            return ($"{prefix}.{said} {fix}", transient);
        }

        if (Find<InvalidOperationException>(exception) is { } invalid && invalid.Message.Contains("could not be found or loaded", StringComparison.Ordinal))
        {
            return (
                $"{prefix}: an AWS SDK assembly is missing ({AwsCredentialsProvider.OneLine(invalid.Message)}). AWSSDK.SecurityToken, AWSSDK.SSO and AWSSDK.SSOOIDC " +
                "come with KeyVaulting.AwsSecretsManager: check that the application's output holds them; a trimmed or Native AOT application must keep " +
                "them (TrimmerRootAssembly) or register its clients with Amazon.RuntimeDependencies.GlobalRuntimeDependencyRegistry.",
                false);
        }

        if (credentials is AssumeRoleWithWebIdentityCredentials web && Find<InvalidOperationException>(exception) is { } unreadable
            && unreadable.Message.Contains("WebIdentityTokenFile", StringComparison.Ordinal))
        {
            return (
                $"{prefix}: the web identity token file {web.WebIdentityTokenFile} could not be read ({unreadable.InnerException?.GetType().Name ?? unreadable.GetType().Name}). " +
                "Check that the file exists and that this process may read it: on EKS, the service account must be annotated with " +
                "eks.amazonaws.com/role-arn so that the token is mounted (AWS_WEB_IDENTITY_TOKEN_FILE points at it).",
                false);
        }

        if (credentials is SSOAWSCredentials sso)
        {
            return (
                $"{prefix}: {exception.GetType().Name}: {Sentence(exception.Message)} " +
                $"The IAM Identity Center sign-in is missing or has expired: run aws sso login (with the profile of start URL {sso.StartUrl}) " +
                "on a machine where a person signs in; a server needs a role of its own instead (an instance, task or EKS service account role).",
                false);
        }

        return ($"{prefix}: {exception.GetType().Name}: {Sentence(exception.Message)}", true);
    }

    private static (string Fix, bool Transient) Fix(AWSCredentials credentials, string code, HttpStatusCode status)
    {
        if (ThrottlingCodes.Contains(code) || (int)status >= 500 || status == HttpStatusCode.TooManyRequests)
        {
            return ("The call is retried.", true);
        }

        return (credentials, code) switch
        {
            (AssumeRoleWithWebIdentityCredentials web, "AccessDenied" or "AccessDeniedException") =>
                ($"The trust policy of role {web.RoleArn} must allow sts:AssumeRoleWithWebIdentity for the cluster's OIDC provider (Federated principal), " +
                 "with conditions that match this service account (<provider>:sub = system:serviceaccount:<namespace>:<name>) and audience (<provider>:aud = sts.amazonaws.com).",
                 false),
            (AssumeRoleWithWebIdentityCredentials, "InvalidIdentityToken" or "ExpiredTokenException" or "ExpiredToken") =>
                ("STS did not accept the web identity token: the OIDC provider must be registered in IAM for the token's issuer and audience, " +
                 "and the token file must be renewed by the platform (on EKS the kubelet renews the projected token).",
                 true),
            (AssumeRoleAWSCredentials assume, "AccessDenied" or "AccessDeniedException") =>
                ($"The identity of the profile's source_profile (or credential_source) needs sts:AssumeRole on {assume.RoleArn}, " +
                 "and the role's trust policy must allow that identity to assume it (and require the external id or MFA only if the profile supplies them).",
                 false),
            (AssumeRoleAWSCredentials, "InvalidClientTokenId" or "SignatureDoesNotMatch" or "UnrecognizedClientException") =>
                ("AWS does not recognize the source_profile's credentials that call AssumeRole: fix or renew them.", false),
            (AssumeRoleAWSCredentials, "ExpiredToken" or "ExpiredTokenException") =>
                ("The source_profile's own temporary credentials have expired: renew them (for an SSO source profile, aws sso login).", false),
            (SSOAWSCredentials sso, "UnauthorizedException") =>
                ($"The cached IAM Identity Center sign-in was refused: run aws sso login (start URL {sso.StartUrl}).", false),
            (SSOAWSCredentials sso, "ForbiddenException") =>
                ($"The signed-in user may not use role {sso.RoleName} in account {sso.AccountId}: assign the permission set to the user, or fix sso_role_name and sso_account_id.", false),
            (_, "RegionDisabledException") =>
                ("STS is not activated in this region: activate it in the IAM console (Account settings) or set AWS_STS_REGIONAL_ENDPOINTS or the region.", false),
            _ => ("Check the credentials' settings.", status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest)),
        };
    }

    /// <summary>AWS text on one line, secret shapes masked, ending with a full stop.</summary>
    private static string Sentence(string? text)
        => AwsCredentialsProvider.OneLine(SecretShapes.Mask(text ?? string.Empty)).TrimEnd('.', ' ') + ".";

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate && aggregate.InnerExceptions[0] is T inner)
            {
                return inner;
            }
        }

        return null;
    }
}
