using System.Text.Json;
using KeyVaulting.AwsSecretsManager.Diagnostics;
using Microsoft.Extensions.Logging;
using static KeyVaulting.AwsSecretsManager.Internal.Rotation.SecretsManagerRotationOperations;

namespace KeyVaulting.AwsSecretsManager.Internal.Rotation;

/// <summary>
/// The rotation target of a Secrets Manager secret, with Secrets Manager's own rotation labels: the application reads
/// <c>AWSCURRENT</c>; a rotation's claim and then its key are new versions put with <c>PutSecretValue</c>, a
/// <c>ClientRequestToken</c> and <c>AWSPENDING</c>; the promotion moves <c>AWSCURRENT</c> with
/// <c>UpdateSecretVersionStage</c>, and Secrets Manager moves <c>AWSPREVIOUS</c> to the replaced version, whose key is
/// revoked once the grace period is over and the label removed.
/// </summary>
/// <remarks>
/// <para>
/// Every write first checks that the labels are still on the versions the rotator read, then writes so that only one
/// of the rotators that read the same state succeeds: a put's <c>ClientRequestToken</c> is derived from that state
/// (a second put with the same token and other content fails with <c>ResourceExistsException</c>), and a label is
/// moved or removed only from the version named in <c>RemoveFromVersionId</c>. The staged key's version id is the
/// rotation id, which an AWS rotation function receives as the event's <c>ClientRequestToken</c>.
/// </para>
/// <para>
/// The key's id is kept with its version, in the JSON secret: <c>{"api_key": "sk-…", "keyvaulting": {"key_id": …}}</c>
/// with the source's <c>JsonField</c>. The grace period of the replaced key starts at the secret's
/// <c>LastChangedDate</c> after the promotion (never earlier than the promotion).
/// </para>
/// </remarks>
internal sealed class SecretsManagerRotationTarget : IOpenAIKeyRotationTarget, IDisposable
{
    private readonly string _secretId;
    private readonly string _jsonField;
    private readonly SecretsManagerClient _client;
    private readonly SecretsManagerErrors _errors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SecretsManagerRotationTarget(string name, string secretId, string jsonField, SecretsManagerClient client, TimeProvider time, ILogger logger)
    {
        Name = name;
        _secretId = secretId;
        _jsonField = jsonField;
        _client = client;
        _time = time;
        _logger = logger;
        _errors = new SecretsManagerErrors(name, secretId, "its rotation labels", client.Credentials.Description);
    }

    public string Name { get; }

    /// <summary>Gets the client that signs and sends the operations.</summary>
    public SecretsManagerClient Client => _client;

    public async ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        var labels = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        if (labels.Current is null)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"The secret '{_secretId}' has no AWSCURRENT version, so there is no key to rotate. Put the application's first key in it " +
                $"(keyvaulting set --store <source name>, which reads it from standard input, or aws secretsmanager put-secret-value --secret-id {_secretId} --secret-string file://<file> with {{\"{_jsonField}\": \"<key>\"}} in the file: " +
                "never on the command line, where shell history keeps it); rotation takes over from there.",
                isTransient: false);
        }

        var current = await GetAsync(labels.Current, cancellationToken).ConfigureAwait(false);
        var currentRecord = current.Content.Record ?? new OpenAIKeyRecord { CreatedAt = current.CreatedDate };

        OpenAIKeyRotationPending? pending = null;
        if (labels.Pending is { } pendingId && pendingId != labels.Current)
        {
            var staged = await GetAsync(pendingId, cancellationToken).ConfigureAwait(false);
            pending = staged.Content.Kind switch
            {
                VersionKind.Key when staged.Content.Record is { } record => RotationRecordJson.ReadClaim(
                    staged.Content.Metadata,
                    new OpenAIKey(staged.Content.Value!, Name, pendingId, _time.GetUtcNow(), record.ExpiresAt),
                    record),
                VersionKind.Claim => RotationRecordJson.ReadClaim(staged.Content.Metadata),
                _ => null, // discarded, or not a rotation's
            };
        }

        // AWSPREVIOUS is the rotation's to revoke only when a rotation put the current key there.
        OpenAIKeyRecord? previous = null;
        if (labels.Previous is { } previousId && current.Content.Record is not null)
        {
            var replaced = await GetAsync(previousId, cancellationToken).ConfigureAwait(false);
            previous = replaced.Content.Kind == VersionKind.Key ? replaced.Content.Record ?? new OpenAIKeyRecord { CreatedAt = replaced.CreatedDate } : null;
        }

        return new OpenAIKeyRotationState
        {
            Version = labels.Version,
            Current = currentRecord,
            Pending = pending,
            Previous = previous,
            PreviousSupersededAt = previous is null ? null : labels.LastChanged ?? current.CreatedDate,
        };
    }

    public async ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken)
    {
        if (!await StillAtAsync(expected, "stage", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // A claim's token comes from the rotation id; a staged key's token is the rotation id itself, which becomes
        // the version id (the ClientRequestToken of an AWS rotation function's event).
        return pending.Key is { } key
            ? await PutAsync(pending.RotationId, SecretVersionContent.ForKey(_jsonField, key.Value, pending), "stage", cancellationToken).ConfigureAwait(false)
            : await PutAsync(RotationRecordJson.DerivedId("claim", pending.RotationId), SecretVersionContent.ForClaim(pending), "claim", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken)
    {
        var (current, staged, _) = SecretLabels.Parse(expected.Version);
        if (staged is null || !await StillAtAsync(expected, "promote", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (!await UpdateStageAsync(Current, moveTo: staged, removeFrom: current, "promote", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // The promoted version keeps AWSPENDING until it is removed; readers of the state ignore it meanwhile.
        try
        {
            await UpdateStageAsync(Pending, moveTo: null, removeFrom: staged, "promote", cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeySourceException ex) when (ex.IsTransient)
        {
            Log.RotationLabelLeft(_logger, Name, Pending, staged);
        }

        return true;
    }

    public async ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
    {
        var (_, staged, _) = SecretLabels.Parse(expected.Version);
        if (staged is null)
        {
            return true;
        }

        // AWSPENDING goes to a version that says the rotation was discarded, rather than nowhere, so that the state
        // never returns to one read before (the next rotation's id, and token, are new).
        return await StillAtAsync(expected, "discard", cancellationToken).ConfigureAwait(false)
               && await PutAsync(RotationRecordJson.DerivedId("discard", staged), SecretVersionContent.ForDiscarded(expected.Pending?.RotationId), "discard", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
    {
        var (_, _, previous) = SecretLabels.Parse(expected.Version);
        if (previous is null)
        {
            return true;
        }

        return await StillAtAsync(expected, "complete", cancellationToken).ConfigureAwait(false)
               && await UpdateStageAsync(Previous, moveTo: null, removeFrom: previous, "complete", cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    private async Task<bool> StillAtAsync(OpenAIKeyRotationState expected, string change, CancellationToken cancellationToken)
    {
        var labels = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        if (labels.Version == expected.Version)
        {
            return true;
        }

        Log.RotationWriteLost(_logger, Name, change, "the labels moved since they were read");
        return false;
    }

    private async Task<SecretLabels> DescribeAsync(CancellationToken cancellationToken)
    {
        var (response, credentials) = await _client.SendAsync(DescribeSecret, DescribeBody(_secretId), cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (!response.IsSuccess)
            {
                throw Failure("DescribeSecret", response, credentials);
            }

            try
            {
                var labels = ReadLabels(response.Body);
                if (labels.ScheduledForDeletion)
                {
                    throw new OpenAIKeySourceException(
                        Name,
                        $"The secret '{_secretId}' is scheduled for deletion, so it cannot be rotated. Restore it (aws secretsmanager restore-secret --secret-id {_secretId}) or rotate into another secret.",
                        isTransient: false);
                }

                return labels;
            }
            catch (JsonException)
            {
                throw NotSecretsManager("DescribeSecret");
            }
        }
    }

    private async Task<(SecretVersionContent Content, DateTimeOffset? CreatedDate)> GetAsync(string versionId, CancellationToken cancellationToken)
    {
        var (response, credentials) = await _client.SendAsync(GetSecretValueOperation.Target, GetVersionBody(_secretId, versionId), cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (!response.IsSuccess)
            {
                throw Failure("GetSecretValue", response, credentials);
            }

            try
            {
                var (text, created) = ReadVersion(response.Body);
                return (SecretVersionContent.Parse(text, _jsonField), created);
            }
            catch (JsonException)
            {
                throw NotSecretsManager("GetSecretValue");
            }
            catch (FormatException)
            {
                throw new OpenAIKeySourceException(
                    Name,
                    $"Version {versionId} of the secret '{_secretId}' has a '{SecretVersionContent.MetadataField}' field that is not what KeyVaulting's rotation writes. Remove it from the secret (put a new version by hand) when no rotation runs.",
                    isTransient: false);
            }
        }
    }

    private async Task<bool> PutAsync(string token, string secretString, string change, CancellationToken cancellationToken)
    {
        var body = PutBody(_secretId, token, secretString, Pending);
        try
        {
            var (response, credentials) = await _client.SendAsync(PutSecretValue, body, cancellationToken).ConfigureAwait(false);
            using (response)
            {
                if (response.IsSuccess)
                {
                    Log.RotationWritten(_logger, Name, change, token);
                    return true;
                }

                var error = AwsJsonError.Parse(response.Headers, response.Body);
                if (error.Code == "ResourceExistsException")
                {
                    // The token is taken by a version with other content: another rotator wrote this step first.
                    Log.RotationWriteLost(_logger, Name, change, "another rotator put a version with the same ClientRequestToken");
                    return false;
                }

                throw Failure("PutSecretValue", response, credentials, error);
            }
        }
        finally
        {
            Array.Clear(body);
        }
    }

    private async Task<bool> UpdateStageAsync(string stage, string? moveTo, string? removeFrom, string change, CancellationToken cancellationToken)
    {
        var (response, credentials) = await _client.SendAsync(UpdateSecretVersionStage, UpdateStageBody(_secretId, stage, moveTo, removeFrom), cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response.IsSuccess)
            {
                Log.RotationLabelMoved(_logger, Name, stage, removeFrom, moveTo);
                return true;
            }

            var error = AwsJsonError.Parse(response.Headers, response.Body);
            if (error.Code == "InvalidParameterException")
            {
                // RemoveFromVersionId no longer holds the label: another rotator moved it first.
                Log.RotationWriteLost(_logger, Name, change, $"{stage} is no longer on version {removeFrom ?? "(none)"}");
                return false;
            }

            throw Failure("UpdateSecretVersionStage", response, credentials, error);
        }
    }

    private OpenAIKeySourceException Failure(string operation, Shared.StoreHttpResponse response, ResolvedAwsCredentials credentials, AwsJsonError? parsed = null)
    {
        var error = parsed ?? AwsJsonError.Parse(response.Headers, response.Body);
        var said = error.SafeMessage(credentials.Values) is { } aws ? $" AWS said: \"{aws}\"" : string.Empty;
        var requestId = error.RequestId is { Length: > 0 } id ? $" (AWS request id {id})" : string.Empty;
        switch (error.Code)
        {
            case "AccessDeniedException":
                return new OpenAIKeySourceException(
                    Name,
                    $"access denied: the identity of {_client.Credentials.Description} is not allowed secretsmanager:{operation} on the secret '{_secretId}'.{said} " +
                    "The rotator needs secretsmanager:GetSecretValue, DescribeSecret, PutSecretValue and UpdateSecretVersionStage on the secret's ARN " +
                    $"(and kms:Decrypt and kms:GenerateDataKey on its customer-managed KMS key, if it has one).{requestId}",
                    isTransient: false);
            case "ResourceNotFoundException":
                return new OpenAIKeySourceException(
                    Name,
                    $"Secrets Manager has no secret '{_secretId}' ({operation}).{said} Create it with the application's first key " +
                    $"(aws secretsmanager create-secret --name {_secretId} --secret-string '{{\"{_jsonField}\": \"sk-...\"}}'); rotation takes over from there.{requestId}",
                    isTransient: false);
            case "LimitExceededException":
                return new OpenAIKeySourceException(
                    Name,
                    $"Secrets Manager refused {operation}: the secret has too many versions or labels (LimitExceededException).{said} Versions without labels are removed by Secrets Manager; retry later.{requestId}",
                    isTransient: true,
                    response.RetryAfter);
        }

        // Credentials, signature, throttling, server faults, a secret scheduled for deletion: as for the source.
        // Map throws for every answer but a missing secret, handled above.
        var missing = _errors.Map(response.StatusCode, error, credentials, response.RetryAfter, response.Headers.Date, _time.GetUtcNow());
        return new OpenAIKeySourceException(Name, $"Secrets Manager answered {operation}: {missing.Reason}{requestId}", isTransient: false);
    }

    private OpenAIKeySourceException NotSecretsManager(string operation)
        => new(Name, $"The answer to {operation} is not Secrets Manager's JSON. Check ServiceUrl: it must be a Secrets Manager endpoint.", isTransient: false);
}
