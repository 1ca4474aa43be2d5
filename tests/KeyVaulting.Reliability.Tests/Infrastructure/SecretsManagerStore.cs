using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// AWS Secrets Manager's JSON protocol over plain HTTP: <c>POST /</c> with <c>X-Amz-Target:
/// secretsmanager.GetSecretValue</c>, answered with <c>SecretString</c> or <c>SecretBinary</c>, errors as
/// <c>{"__type": …, "message": …}</c>. The request must carry a SigV4 Authorization for the test's access key id and
/// the sentinel session token (the signature itself is verified by KeyVaulting.AwsSecretsManager.Tests).
/// </summary>
public sealed class SecretsManagerStore : FakeStore
{
    private const string JsonContentType = "application/x-amz-json-1.1";

    private readonly string _accessKeyId = "TESTKEYID" + Guid.NewGuid().ToString("N")[..11].ToUpperInvariant();

    private SecretsManagerStore(string? jsonKey)
        : base(jsonKey)
    {
        SecretAccessKey = Remember(Sentinel.Of("AWS secret access key", string.Empty, 40));
        SessionToken = Remember(Sentinel.Of("AWS session token", "test-session-", 64));
    }

    public override string StoreName => "AwsSecretsManager";

    public string SecretId => "prod/openai-" + Id;

    public override string SourceName => "AwsSecretsManager:" + SecretId;

    public override string JsonFieldSetting => "JsonField";

    public Sentinel SecretAccessKey { get; }

    public Sentinel SessionToken { get; }

    /// <summary>Gets or sets binary secret content, answered as <c>SecretBinary</c> instead of <see cref="FakeStore.SecretText"/>.</summary>
    public byte[]? SecretBinary { get; set; }

    /// <summary>Gets or sets the secret's VersionId.</summary>
    public string VersionId { get; set; } = Guid.NewGuid().ToString();

    public static async Task<SecretsManagerStore> StartAsync(string? jsonKey = null)
    {
        var store = new SecretsManagerStore(jsonKey);
        await store.ListenAsync();
        return store;
    }

    public override void AddTo(IOpenAIKeyProviderBuilder builder)
        => builder.AddAwsSecretsManager(SecretId, options =>
        {
            options.Region = "us-east-1";
            options.ServiceUrl = Address;
            options.Credentials = new SessionAWSCredentials(_accessKeyId, SecretAccessKey.Value, SessionToken.Value);
            options.JsonField = JsonField;
        });

    public override string ExpectedReason(StoreFault fault) => fault switch
    {
        StoreFault.InternalServerError => "Secrets Manager failed (HTTP 500 InternalServiceError)",
        StoreFault.BadGateway => "Secrets Manager failed (HTTP 502)",
        StoreFault.ServiceUnavailable => "Secrets Manager failed (HTTP 503 ServiceUnavailable)",
        StoreFault.TooManyRequests => "Secrets Manager is throttling requests (ThrottlingException)",
        StoreFault.Hang => "did not answer within",
        StoreFault.ConnectionRefused => "could not be reached",
        StoreFault.MalformedJson => "the answer to GetSecretValue is not valid JSON",
        StoreFault.TruncatedBody => "broke while reading its answer",
        StoreFault.WrongContentType => "the answer to GetSecretValue is not valid JSON",
        StoreFault.HugeBody => "larger than 256 KiB",
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    public override string ExpectedReason(StoreAbsence absence) => absence switch
    {
        StoreAbsence.DeletedSecret => $"Secrets Manager has no secret '{SecretId}'",
        StoreAbsence.DeletedVersion => "can't find the specified secret value for staging label: AWSCURRENT",
        _ => throw new ArgumentOutOfRangeException(nameof(absence)),
    };

    protected override Task AnswerAbsentAsync(HttpContext context, StoreAbsence absence)
        => WriteAsync(context, 400, JsonContentType, ErrorBody(
            "ResourceNotFoundException",
            absence == StoreAbsence.DeletedVersion
                ? "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
                : "Secrets Manager can't find the specified secret."));

    protected override (int Status, string ContentType, string Body) EchoingError(string message)
        => (400, JsonContentType, ErrorBody(
            "AccessDeniedException",
            $"User: arn:aws:sts::123456789012:assumed-role/openai-app/session is not authorized to perform: secretsmanager:GetSecretValue on resource: {SecretId} (request x-amz-security-token {SessionToken.Value}; {message})"));

    protected override void OnNewVersion() => VersionId = Guid.NewGuid().ToString();

    protected override bool IsSecretRead(HttpRequest request)
        => request.Headers["X-Amz-Target"] == "secretsmanager.GetSecretValue";

    protected override async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (!request.Headers.Authorization.ToString().StartsWith($"AWS4-HMAC-SHA256 Credential={_accessKeyId}/", StringComparison.Ordinal)
            || request.Headers["X-Amz-Security-Token"] != SessionToken.Value)
        {
            await WriteAsync(context, 400, JsonContentType, ErrorBody("UnrecognizedClientException", "The security token included in the request is invalid."));
            return;
        }

        if (!IsSecretRead(request))
        {
            await WriteAsync(context, 400, JsonContentType, ErrorBody("UnknownOperationException", string.Empty));
            return;
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        if (body.RootElement.GetProperty("SecretId").GetString() != SecretId)
        {
            await WriteAsync(context, 400, JsonContentType, ErrorBody("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
            return;
        }

        var (type, answer) = SecretAnswer(SecretText);
        context.Response.ContentType = type;
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer);
    }

    protected override (string ContentType, string Body) Error(int status) => status switch
    {
        429 => (JsonContentType, ErrorBody("ThrottlingException", "Rate exceeded")),
        503 => (JsonContentType, ErrorBody("ServiceUnavailable", "Service is unavailable, please retry later.")),
        _ => (JsonContentType, ErrorBody("InternalServiceError", "An error occurred on the server side.")),
    };

    protected override (string ContentType, byte[] Body) SecretAnswer(string value)
    {
        var answer = new JsonObject
        {
            ["ARN"] = $"arn:aws:secretsmanager:us-east-1:123456789012:secret:{SecretId}-AbCdEf",
            ["CreatedDate"] = 1.767225600E9,
            ["Name"] = SecretId,
            ["VersionId"] = VersionId,
            ["VersionStages"] = new JsonArray("AWSCURRENT"),
        };
        if (SecretBinary is { } binary)
        {
            answer["SecretBinary"] = Convert.ToBase64String(binary);
        }
        else
        {
            answer["SecretString"] = value;
        }

        return (JsonContentType, Encoding.UTF8.GetBytes(answer.ToJsonString()));
    }

    private static string ErrorBody(string type, string message)
        => new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString();
}
