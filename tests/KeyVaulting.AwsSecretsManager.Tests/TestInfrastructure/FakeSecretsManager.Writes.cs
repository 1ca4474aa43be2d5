using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// The operations a rotation uses, with Secrets Manager's documented semantics (API reference: DescribeSecret,
/// PutSecretValue, UpdateSecretVersionStage):
/// <list type="bullet">
/// <item><c>PutSecretValue</c> creates a version whose id is the <c>ClientRequestToken</c>; the same token with the
/// same secret string again does nothing, with another one fails with <c>ResourceExistsException</c>. Its
/// <c>VersionStages</c> (default <c>AWSCURRENT</c>) move from the versions that had them; the first version of a
/// secret always gets <c>AWSCURRENT</c>; moving <c>AWSCURRENT</c> moves <c>AWSPREVIOUS</c> to the version it left.</item>
/// <item><c>UpdateSecretVersionStage</c> moves a label to <c>MoveToVersionId</c> or removes it; when the label is on
/// another version, <c>RemoveFromVersionId</c> must name that version, else <c>InvalidParameterException</c>.
/// <c>AWSCURRENT</c> can only be moved, never removed.</item>
/// <item><c>DescribeSecret</c> answers <c>VersionIdsToStages</c> (labelled versions only) and <c>LastChangedDate</c>,
/// which every put and label move advances.</item>
/// </list>
/// Each operation can be denied to an identity (<see cref="DenyAction"/>).
/// </summary>
internal sealed partial class FakeSecretsManager
{
    private static readonly HashSet<string> SupportedTargets = new(StringComparer.Ordinal)
    {
        "secretsmanager.GetSecretValue", "secretsmanager.DescribeSecret", "secretsmanager.PutSecretValue", "secretsmanager.UpdateSecretVersionStage",
    };

    /// <summary>Denies one action (<c>PutSecretValue</c>, <c>UpdateSecretVersionStage</c>, <c>DescribeSecret</c>) to the identity.</summary>
    public void DenyAction(AwsTestIdentity identity, string action) => _identities[identity.AccessKeyId].DeniedActions[action] = true;

    /// <summary>Gets each labelled version of a secret with its labels.</summary>
    public IReadOnlyDictionary<string, string[]> Labels(string name)
    {
        var secret = _secrets[name];
        lock (secret)
        {
            return secret.Versions.Where(v => v.Stages.Count > 0).ToDictionary(v => v.Id, v => v.Stages.Order(StringComparer.Ordinal).ToArray());
        }
    }

    /// <summary>Gets the secret string of the version holding <paramref name="stage"/>, or null.</summary>
    public string? TextAt(string name, string stage)
    {
        var secret = _secrets[name];
        lock (secret)
        {
            return secret.Versions.FirstOrDefault(v => v.Stages.Contains(stage))?.Text;
        }
    }

    /// <summary>Gets how many versions the secret has, labelled or not.</summary>
    public int VersionCount(string name)
    {
        var secret = _secrets[name];
        lock (secret)
        {
            return secret.Versions.Count;
        }
    }

    /// <summary>Creates a secret without any version (aws secretsmanager create-secret without a value).</summary>
    public void CreateEmpty(string name) => _secrets.GetOrAdd(name, n => new Secret(n) { LastChanged = _time.GetUtcNow() });

    private async Task HandleWriteSideAsync(HttpContext context, ReceivedRequest request, Identity identity)
    {
        var action = request.Header("x-amz-target")!["secretsmanager.".Length..];
        JsonObject input;
        try
        {
            input = JsonNode.Parse(request.Body)!.AsObject();
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, 400, "SerializationException", "Start of structure or map found where not expected.");
            return;
        }

        var secretId = (string?)input["SecretId"];
        if (identity.DeniedActions.ContainsKey(action))
        {
            await WriteErrorAsync(context, 400, "AccessDeniedException",
                $"User: arn:aws:iam::{AccountId}:user/rotator is not authorized to perform: secretsmanager:{action} on resource: {secretId} because no identity-based policy allows the secretsmanager:{action} action");
            return;
        }

        var name = secretId is null ? null : _secrets.Keys.FirstOrDefault(n => n == secretId || ArnOf(n) == secretId);
        if (name is null || !_secrets.TryGetValue(name, out var secret))
        {
            await WriteErrorAsync(context, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }

        var (status, error, message, output) = action switch
        {
            "DescribeSecret" => Describe(secret),
            "PutSecretValue" => Put(secret, input),
            _ => UpdateStage(secret, input),
        };
        if (error is not null)
        {
            await WriteErrorAsync(context, status, error, message);
            return;
        }

        await WriteAsync(context, 200, Encoding.UTF8.GetBytes(output!.ToJsonString()), ("Content-Type", JsonContentType));
    }

    private (int, string?, string?, JsonObject?) Describe(Secret secret)
    {
        lock (secret)
        {
            var stages = new JsonObject();
            foreach (var version in secret.Versions.Where(v => v.Stages.Count > 0))
            {
                stages[version.Id] = new JsonArray([.. version.Stages.Select(s => (JsonNode?)s)]);
            }

            var output = new JsonObject
            {
                ["ARN"] = ArnOf(secret.Name),
                ["Name"] = secret.Name,
                ["LastChangedDate"] = secret.LastChanged.ToUnixTimeMilliseconds() / 1000.0,
                ["VersionIdsToStages"] = stages,
            };
            if (secret.DeletionScheduled)
            {
                output["DeletedDate"] = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            }

            return (200, null, null, output);
        }
    }

    private (int, string?, string?, JsonObject?) Put(Secret secret, JsonObject input)
    {
        var token = (string?)input["ClientRequestToken"];
        var text = (string?)input["SecretString"];
        if (token is null || token.Length is < 32 or > 64)
        {
            return (400, "ValidationException", "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32", null);
        }

        if (string.IsNullOrEmpty(text))
        {
            return (400, "InvalidParameterException", "You must provide either SecretString or SecretBinary.", null);
        }

        lock (secret)
        {
            if (secret.DeletionScheduled)
            {
                return (400, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.", null);
            }

            if (secret.Versions.FirstOrDefault(v => v.Id == token) is { } existing)
            {
                return existing.Text == text
                    ? (200, null, null, PutOutput(secret, existing))
                    : (400, "ResourceExistsException", "You can't modify an existing version, you can only create a new version.", null);
            }

            var stages = input["VersionStages"] is JsonArray array ? array.Select(s => (string)s!).ToList() : ["AWSCURRENT"];
            if (secret.Versions.Count == 0 && !stages.Contains("AWSCURRENT"))
            {
                stages.Add("AWSCURRENT");
            }

            var version = new Version(token, text, null, _time.GetUtcNow());
            secret.Versions.Add(version);
            foreach (var stage in stages)
            {
                Attach(secret, stage, version);
            }

            secret.LastChanged = _time.GetUtcNow();
            return (200, null, null, PutOutput(secret, version));
        }
    }

    private (int, string?, string?, JsonObject?) UpdateStage(Secret secret, JsonObject input)
    {
        var stage = (string?)input["VersionStage"];
        var moveTo = (string?)input["MoveToVersionId"];
        var removeFrom = (string?)input["RemoveFromVersionId"];
        if (stage is null || (moveTo is null && removeFrom is null))
        {
            return (400, "InvalidParameterException", "You must specify MoveToVersionId or RemoveFromVersionId.", null);
        }

        lock (secret)
        {
            var holder = secret.Versions.FirstOrDefault(v => v.Stages.Contains(stage));
            var target = moveTo is null ? null : secret.Versions.FirstOrDefault(v => v.Id == moveTo);
            if (moveTo is not null && target is null)
            {
                return (400, "ResourceNotFoundException", $"Secrets Manager can't find the specified secret value for VersionId: {moveTo}", null);
            }

            if (removeFrom is not null && holder?.Id != removeFrom)
            {
                return (400, "InvalidParameterException", $"The staging label {stage} is not attached to version {removeFrom}.", null);
            }

            if (holder is not null && target is not null && holder != target && removeFrom is null)
            {
                return (400, "InvalidParameterException", $"The staging label {stage} is attached to version {holder.Id}; to move it, specify that version in RemoveFromVersionId.", null);
            }

            if (stage == "AWSCURRENT" && target is null)
            {
                return (400, "InvalidParameterException", "You can't remove the staging label AWSCURRENT; move it to another version instead.", null);
            }

            if (target is not null)
            {
                Attach(secret, stage, target);
            }
            else
            {
                holder!.Stages.Remove(stage);
            }

            secret.LastChanged = _time.GetUtcNow();
            return (200, null, null, new JsonObject { ["ARN"] = ArnOf(secret.Name), ["Name"] = secret.Name });
        }
    }

    /// <summary>Attaches a label to a version, taking it from the version that had it; AWSCURRENT leaves AWSPREVIOUS behind.</summary>
    private static void Attach(Secret secret, string stage, Version version)
    {
        var holder = secret.Versions.FirstOrDefault(v => v != version && v.Stages.Contains(stage));
        holder?.Stages.Remove(stage);
        version.Stages.Add(stage);
        if (stage == "AWSCURRENT" && holder is not null)
        {
            foreach (var other in secret.Versions)
            {
                other.Stages.Remove("AWSPREVIOUS");
            }

            holder.Stages.Add("AWSPREVIOUS");
        }
    }

    private JsonObject PutOutput(Secret secret, Version version) => new()
    {
        ["ARN"] = ArnOf(secret.Name),
        ["Name"] = secret.Name,
        ["VersionId"] = version.Id,
        ["VersionStages"] = new JsonArray([.. version.Stages.Select(s => (JsonNode?)s)]),
    };
}
