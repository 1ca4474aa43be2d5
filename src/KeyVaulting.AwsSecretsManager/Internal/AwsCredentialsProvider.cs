using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Finds the AWS credentials that sign a request, asked for on every request so that the AWS SDK renews temporary
/// credentials before they expire: the configured <see cref="AWSCredentials"/>, else a named profile, else the AWS
/// default credential chain (the same shared resolver every AWS SDK client of the process uses).
/// </summary>
internal sealed class AwsCredentialsProvider
{
    private readonly string _sourceName;
    private readonly AWSCredentials? _configured;
    private readonly string? _profile;
    private AWSCredentials? _profileCredentials;

    public AwsCredentialsProvider(string sourceName, AWSCredentials? configured, string? profile)
    {
        _sourceName = sourceName;
        _configured = configured;
        _profile = string.IsNullOrWhiteSpace(profile) ? null : profile.Trim();
        Description = configured is not null
            ? $"the credentials set in {nameof(AwsSecretsManagerKeySourceOptions)}.{nameof(AwsSecretsManagerKeySourceOptions.Credentials)} ({configured.GetType().Name})"
            : _profile is not null
                ? $"the AWS profile '{_profile}'"
                : "the AWS default credential chain";
    }

    /// <summary>Gets where the credentials come from, for messages: never a secret.</summary>
    public string Description { get; }

    public async ValueTask<ResolvedAwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var credentials = _configured
            ?? (_profile is not null ? GetProfileCredentials(_profile) : await GetDefaultChainCredentialsAsync(cancellationToken).ConfigureAwait(false));

        ImmutableCredentials? values;
        try
        {
            values = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Renewing temporary credentials (STS, SSO, IMDS, ECS) can fail for a while, and retrying may succeed; a
            // refusal (a trust policy, an expired sign-in) needs a person: the message says which.
            var (message, transient) = AwsCredentialFailure.Describe(Description, credentials, ex);
            throw new OpenAIKeySourceException(_sourceName, message, isTransient: transient);
        }

        if (values is null || string.IsNullOrEmpty(values.AccessKey) || string.IsNullOrEmpty(values.SecretKey))
        {
            throw new OpenAIKeySourceException(
                _sourceName,
                $"{Description} ({credentials.GetType().Name}) has no access key and secret access key, so it cannot sign requests. " +
                "Secrets Manager does not accept anonymous requests: use credentials of an identity allowed secretsmanager:GetSecretValue.",
                isTransient: false);
        }

        return new ResolvedAwsCredentials(credentials, new SigV4Credentials(values.AccessKey, values.SecretKey, values.UseToken ? values.Token : null));
    }

    /// <summary>Forgets cached temporary credentials, so that the next request gets new ones.</summary>
    /// <returns><see langword="true"/> when the credentials renew themselves and were cleared.</returns>
    public static bool TryClear(AWSCredentials credentials)
    {
        if (credentials is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
            return true;
        }

        return false;
    }

    private static string Describe(Exception exception)
        => exception is ProcessAWSCredentialException
            ? $"{nameof(ProcessAWSCredentialException)} (the credential_process of the profile failed; its output is not shown as it may hold secrets)."
            : $"{exception.GetType().Name}: {OneLine(exception.Message)}";

    /// <summary>The text on one line, at most 1000 characters.</summary>
    internal static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 1000 ? string.Concat(line.AsSpan(0, 1000), "…") : line;
    }

    private async Task<AWSCredentials> GetDefaultChainCredentialsAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The resolver caches what it found and looks again when AWS_* variables or the shared files change.
            return await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeySourceException(
                _sourceName,
                $"{Description} found no AWS credentials. Provide them the usual AWS way: the AWS_ACCESS_KEY_ID and " +
                "AWS_SECRET_ACCESS_KEY environment variables, a profile (AWS_PROFILE, aws configure, aws sso login), " +
                $"an IAM role for the EKS service account, ECS task or EC2 instance; or set the source's Profile or Credentials. AWS SDK: {Describe(ex)}",
                isTransient: ex is not ProfileNotFoundException and not ProcessAWSCredentialException);
        }
    }

    private AWSCredentials GetProfileCredentials(string profile)
    {
        if (Volatile.Read(ref _profileCredentials) is { } cached)
        {
            return cached;
        }

        var chain = new CredentialProfileStoreChain();
        AWSCredentials? credentials;
        try
        {
            if (!chain.TryGetProfile(profile, out _))
            {
                throw new OpenAIKeySourceException(
                    _sourceName,
                    $"the AWS profile '{profile}' (setting Profile) is in neither {ProfileFiles()}. " +
                    $"Create it (aws configure --profile {profile}) or fix the name.",
                    isTransient: false);
            }

            if (!chain.TryGetAWSCredentials(profile, out credentials) || credentials is null)
            {
                throw new OpenAIKeySourceException(
                    _sourceName,
                    $"the AWS profile '{profile}' (setting Profile) has no usable credentials: it needs " +
                    "aws_access_key_id and aws_secret_access_key, an SSO session, a role to assume, a web identity or a credential_process.",
                    isTransient: false);
            }
        }
        catch (Exception ex) when (ex is not OpenAIKeySourceException)
        {
            throw new OpenAIKeySourceException(
                _sourceName,
                $"the AWS profile '{profile}' (setting Profile) could not be read: {Describe(ex)}",
                isTransient: false);
        }

        // Profile credentials (assume-role, SSO) renew themselves: keep the object so its cache works.
        return Interlocked.CompareExchange(ref _profileCredentials, credentials, null) ?? credentials;
    }

    /// <summary>
    /// The files AWSSDK.Core reads. It resolves <c>AWS_SHARED_CREDENTIALS_FILE</c> and <c>AWS_CONFIG_FILE</c> once per
    /// process (and only if they exist then), so the variables may no longer tell.
    /// </summary>
    private static string ProfileFiles()
    {
        var files = new SharedCredentialsFile();
        return $"the shared credentials file {files.FilePath} nor the config file {files.ConfigFilePath}";
    }
}
