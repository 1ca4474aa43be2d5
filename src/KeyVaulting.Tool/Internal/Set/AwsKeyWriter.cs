extern alias aws;

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using aws::KeyVaulting.AwsSecretsManager;
using aws::KeyVaulting.AwsSecretsManager.Internal;
using aws::KeyVaulting.AwsSecretsManager.Internal.Rotation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Writes a key into the AWS Secrets Manager secret a source reads, with the source's own settings and the package's
/// signed client (region, <c>ServiceUrl</c>, profile and credentials resolved as for the application):
/// <c>PutSecretValue</c> makes a new version labelled <c>AWSCURRENT</c>. With <c>JsonField</c>, the current JSON is
/// read first (<c>GetSecretValue</c>), that field replaced and the whole JSON written, every other field kept.
/// </summary>
internal sealed class AwsKeyWriter : IStoreKeyWriter
{
    private const string GetSecretValue = "secretsmanager.GetSecretValue";

    private readonly SecretsManagerClient _client;
    private readonly string _secretId;
    private readonly string? _jsonField;
    private readonly string _store;

    private AwsKeyWriter(SecretsManagerClient client, string secretId, string? jsonField, string store)
    {
        _client = client;
        _secretId = secretId;
        _jsonField = jsonField;
        _store = store;
    }

    private string Location => _jsonField is null ? $"secret '{_secretId}'" : $"secret '{_secretId}' (field {_jsonField})";

    /// <summary>Binds and validates the source's options as the application does.</summary>
    /// <exception cref="ToolUsageException">A setting is invalid, or makes the source read another version than the current one.</exception>
    public static AwsKeyWriter Create(IConfigurationSection section, IServiceProvider services, string store)
    {
        AwsSecretsManagerKeySourceOptions options;
        try
        {
            options = StoreOptions.Bind(new OpenAIKeySourceFactoryContext(string.Empty, section, services), static (c, o, b) => c.Bind(o, b), AwsSecretsManagerKeySourceFactory.Validators);
        }
        catch (InvalidOperationException ex)
        {
            throw new ToolUsageException(ex.Message);
        }

        if (options.Version is not null || !string.Equals(options.VersionStage?.Trim(), AwsSecretsManagerKeySourceOptions.CurrentVersionStage, StringComparison.Ordinal))
        {
            throw new ToolUsageException($"Source {store} reads a chosen version ('{section.Path}:Version' or VersionStage), but a new version becomes {AwsSecretsManagerKeySourceOptions.CurrentVersionStage}: remove Version and VersionStage, then run set again.");
        }

        var time = (TimeProvider?)services.GetService(typeof(TimeProvider)) ?? TimeProvider.System;
        var secretId = options.SecretId!.Trim();
        var name = $"{AwsSecretsManagerKeySource.TypeName}:{secretId}";
        var http = aws::KeyVaulting.Shared.StoreHttpClient.Create(services, AwsSecretsManagerKeySource.HttpClientName, name, SecretsManagerClient.Endpoint);
        var client = new SecretsManagerClient(name, options, http, time, NullLogger.Instance);
        return new AwsKeyWriter(client, secretId, string.IsNullOrWhiteSpace(options.JsonField) ? null : options.JsonField, store);
    }

    /// <summary>Puts <paramref name="key"/> as the secret's new current version.</summary>
    /// <exception cref="ToolFailureException">AWS refused or failed a call; nothing secret is in the message.</exception>
    public async Task<StoreWrite> WriteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var secretString = _jsonField is null ? key : await MergeAsync(key, cancellationToken).ConfigureAwait(false);
            var body = SecretsManagerRotationOperations.PutBody(_secretId, Guid.NewGuid().ToString(), secretString, SecretsManagerRotationOperations.Current);
            try
            {
                var (response, credentials) = await _client.SendAsync(SecretsManagerRotationOperations.PutSecretValue, body, cancellationToken).ConfigureAwait(false);
                using (response)
                {
                    if (!response.IsSuccess)
                    {
                        throw Failure(response.Status, response.Headers, response.Body, credentials, "PutSecretValue");
                    }

                    using var document = JsonDocument.Parse(response.Body);
                    var version = document.RootElement.TryGetProperty("VersionId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                    return new StoreWrite($"{Location} in {_client.Credentials.Description}", version);
                }
            }
            finally
            {
                Array.Clear(body);
            }
        }
        catch (OpenAIKeySourceException ex)
        {
            throw new ToolFailureException($"AWS Secrets Manager, source {_store}: {SecretShapes.Mask(ex.Message)}");
        }
        catch (JsonException)
        {
            throw new ToolFailureException($"AWS Secrets Manager, source {_store}: the answer to PutSecretValue is not Secrets Manager's JSON; check ServiceUrl.");
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The secret's current JSON with the field replaced (a new object when the secret has no value yet).</summary>
    private async Task<string> MergeAsync(string key, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["SecretId"] = _secretId, ["VersionStage"] = SecretsManagerRotationOperations.Current }));
        var (response, credentials) = await _client.SendAsync(GetSecretValue, body, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            JsonObject fields = [];
            if (response.IsSuccess)
            {
                var (text, _) = SecretsManagerRotationOperations.ReadVersion(response.Body);
                if (text is not null)
                {
                    fields = JsonNode.Parse(text) as JsonObject
                        ?? throw new ToolFailureException($"AWS Secrets Manager, source {_store}: the current value of {Location} is not a JSON object, so JsonField cannot be replaced in it. Remove JsonField (the key is then the whole value) or fix the secret; the value is not shown.");
                }
            }
            else if (AwsJsonError.Parse(response.Headers, response.Body).Code != "ResourceNotFoundException")
            {
                throw Failure(response.Status, response.Headers, response.Body, credentials, "GetSecretValue");
            }

            fields[_jsonField!] = key;
            return fields.ToJsonString();
        }
    }

    // The shared response type is compiled into each store package, so its parts are passed instead.
    private ToolFailureException Failure(int statusCode, System.Net.Http.Headers.HttpResponseHeaders headers, byte[] body, ResolvedAwsCredentials credentials, string action)
    {
        var error = AwsJsonError.Parse(headers, body);
        var said = error.SafeMessage(credentials.Values) is { } aws ? $" AWS said: \"{aws}\"" : string.Empty;
        var status = string.Create(CultureInfo.InvariantCulture, $"HTTP {statusCode}, {error.Code ?? "no error code"}");
        return error.Code switch
        {
            "AccessDeniedException" => new ToolFailureException(
                $"AWS Secrets Manager denied {action} on {Location} for source {_store} ({status}).{said} The identity of {_client.Credentials.Description} needs secretsmanager:PutSecretValue on the secret's ARN" +
                $"{(_jsonField is null ? string.Empty : " and secretsmanager:GetSecretValue (JsonField: the other fields are kept)")}, and kms:GenerateDataKey and kms:Decrypt on a customer-managed KMS key; or run set with credentials that have them (Profile, the AWS_* variables)."),
            "ResourceNotFoundException" => new ToolFailureException(
                $"AWS Secrets Manager has no secret '{_secretId}' (source {_store}, {status}); set does not create secrets. Create it (aws secretsmanager create-secret --name {_secretId}), or check SecretId and Region."),
            _ => new ToolFailureException($"AWS Secrets Manager refused {action} on {Location} for source {_store} ({status}).{SecretShapes.Mask(said)} Check SecretId, Region and ServiceUrl."),
        };
    }
}
