using KeyVaulting.Testing;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// A Secrets Manager that speaks the real wire protocol on 127.0.0.1: <c>POST /</c> with
/// <c>X-Amz-Target: secretsmanager.GetSecretValue</c>. Every request's SigV4 signature, credential scope, timestamp
/// (±5 minutes of the test's clock) and session token are verified, and failures get the error JSON AWS sends.
/// Secrets have versions and staging labels; a new value takes <c>AWSCURRENT</c> and the old one becomes
/// <c>AWSPREVIOUS</c>, as <c>PutSecretValue</c> and rotation do.
/// </summary>
internal sealed partial class FakeSecretsManager : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string AccountId = "123456789012";
    public const string JsonContentType = "application/x-amz-json-1.1";

    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    private static readonly HashSet<string> LowerCaseMessageTypes = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "IncompleteSignatureException",
        "MissingAuthenticationTokenException", "ThrottlingException",
    };

    private LocalServer _server = null!;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Identity> _identities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Secret> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CannedResponse> _canned = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    private FakeSecretsManager(TimeProvider time)
    {
        _time = time;
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests;

    public static async Task<FakeSecretsManager> StartAsync(TimeProvider time)
    {
        var server = new FakeSecretsManager(time);
        server._server = await LocalServer.StartAsync(server.HandleAsync);
        server.Url = server._server.Address;
        return server;
    }

    /// <summary>Creates credentials this server accepts.</summary>
    public AwsTestIdentity AddIdentity(bool temporary = false)
    {
        var identity = AwsTestIdentity.Create(temporary);
        Register(identity);
        return identity;
    }

    public void Register(AwsTestIdentity identity) => _identities[identity.AccessKeyId] = new Identity(identity);

    /// <summary>Makes the identity's session token expired: requests get <c>ExpiredTokenException</c>.</summary>
    public void ExpireToken(AwsTestIdentity identity) => _identities[identity.AccessKeyId].TokenExpired = true;

    /// <summary>Denies the identity <c>secretsmanager:GetSecretValue</c> (or <c>kms:Decrypt</c>) on every secret.</summary>
    public void Deny(AwsTestIdentity identity, bool kmsOnly = false) => _identities[identity.AccessKeyId].Denied = kmsOnly ? "kms" : "secretsmanager";

    /// <summary>Stores a new text version: it takes <c>AWSCURRENT</c>; the previous current version becomes <c>AWSPREVIOUS</c>.</summary>
    public string PutSecretString(string name, string value) => Put(name, new Version(Guid.NewGuid().ToString(), value, null, _time.GetUtcNow()));

    /// <summary>Stores a new binary version (answered base64-encoded as <c>SecretBinary</c>).</summary>
    public string PutSecretBinary(string name, byte[] value) => Put(name, new Version(Guid.NewGuid().ToString(), null, value, _time.GetUtcNow()));

    /// <summary>Stores a version with custom staging labels only (what a rotation's first step does with AWSPENDING).</summary>
    public string AddVersion(string name, string value, params string[] stages)
    {
        var secret = _secrets.GetOrAdd(name, n => new Secret(n));
        var version = new Version(Guid.NewGuid().ToString(), value, null, _time.GetUtcNow());
        lock (secret)
        {
            foreach (var stage in stages)
            {
                foreach (var other in secret.Versions)
                {
                    other.Stages.Remove(stage);
                }

                version.Stages.Add(stage);
            }

            secret.Versions.Add(version);
        }

        return version.Id;
    }

    public void ScheduleDeletion(string name) => _secrets[name].DeletionScheduled = true;

    public void FailDecryption(string name) => _secrets[name].DecryptionFails = true;

    public string ArnOf(string name) => $"arn:aws:secretsmanager:{Region}:{AccountId}:secret:{name}-Ab12Cd";

    /// <summary>Answers the next request (after its signature is verified) with this status, body and headers.</summary>
    public void RespondNext(int status, string? body, params (string Name, string Value)[] headers)
        => _canned.Enqueue(new CannedResponse(status, body is null ? null : Encoding.UTF8.GetBytes(body), headers, BeforeVerification: false));

    /// <summary>Answers the next request with these raw bytes, whatever it carries (a proxy or a non-AWS endpoint).</summary>
    public void RespondNextRaw(int status, byte[] body, params (string Name, string Value)[] headers)
        => _canned.Enqueue(new CannedResponse(status, body, headers, BeforeVerification: true));

    /// <summary>
    /// Starts answering the next request with 200 and part of a promised body, then drops the connection once
    /// <paramref name="clientHasHeaders"/> completes.
    /// </summary>
    public void DropConnectionMidAnswer(Task clientHasHeaders)
        => _canned.Enqueue(new CannedResponse(-1, null, [], BeforeVerification: false) { DropAfter = clientHasHeaders });

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private string Put(string name, Version version)
    {
        var secret = _secrets.GetOrAdd(name, n => new Secret(n));
        lock (secret)
        {
            foreach (var other in secret.Versions)
            {
                other.Stages.Remove("AWSPREVIOUS");
            }

            foreach (var other in secret.Versions.Where(v => v.Stages.Remove("AWSCURRENT")))
            {
                other.Stages.Add("AWSPREVIOUS");
            }

            version.Stages.Add("AWSCURRENT");
            secret.Versions.Add(version);
            secret.LastChanged = _time.GetUtcNow();
        }

        return version.Id;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var received = new ReceivedRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, headers, body);
        _requests.Enqueue(received);

        // Answer with the test's clock, as AWS answers with its own.
        context.Response.Headers.Date = _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();

        if (_canned.TryPeek(out var raw) && raw.BeforeVerification && _canned.TryDequeue(out raw))
        {
            await WriteAsync(context, raw.Status, raw.Body, raw.Headers);
            return;
        }

        var (status, error, message) = Verify(received, out var identity);
        if (error is not null)
        {
            await WriteErrorAsync(context, status, error, message!);
            return;
        }

        if (_canned.TryDequeue(out var canned))
        {
            if (canned.Status < 0)
            {
                context.Response.ContentLength = 1000;
                await context.Response.Body.WriteAsync("{\"ARN\":"u8.ToArray());
                await context.Response.Body.FlushAsync();
                await canned.DropAfter!.WaitAsync(TimeSpan.FromSeconds(10));
                context.Abort();
                return;
            }

            await WriteAsync(context, canned.Status, canned.Body, canned.Headers);
            return;
        }

        if (received.Header("x-amz-target") == "secretsmanager.GetSecretValue")
        {
            await GetSecretValueAsync(context, received, identity!);
            return;
        }

        await HandleWriteSideAsync(context, received, identity!);
    }

    private (int Status, string? Error, string? Message) Verify(ReceivedRequest request, out Identity? identity)
    {
        identity = null;
        if (request.Method != "POST" || request.Path != "/")
        {
            return (404, "UnknownOperationException", null);
        }

        if (!request.Headers.TryGetValue("authorization", out var authorizationHeader) || !request.Headers.ContainsKey("x-amz-date"))
        {
            return (400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        ParsedAuthorization authorization;
        try
        {
            authorization = ReferenceSigV4.ParseAuthorization(authorizationHeader);
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or IndexOutOfRangeException)
        {
            return (400, "IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.");
        }

        if (!_identities.TryGetValue(authorization.AccessKeyId, out identity))
        {
            return (400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var token = request.Headers.GetValueOrDefault("x-amz-security-token");
        if (identity.Credentials.SessionToken is { } expectedToken)
        {
            if (token != expectedToken)
            {
                return (400, "UnrecognizedClientException", "The security token included in the request is invalid.");
            }

            if (identity.TokenExpired)
            {
                return (400, "ExpiredTokenException", "The security token included in the request is expired");
            }
        }
        else if (token is not null)
        {
            return (400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (authorization.Region != Region)
        {
            return (400, "InvalidSignatureException", $"Credential should be scoped to a valid region. ");
        }

        if (authorization.Service != "secretsmanager" || authorization.Terminator != "aws4_request")
        {
            return (400, "InvalidSignatureException", "Credential should be scoped to correct service: 'secretsmanager'. ");
        }

        var amzDate = request.Headers["x-amz-date"];
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || authorization.Date != amzDate[..8])
        {
            return (400, "IncompleteSignatureException", "Date must be in ISO-8601 'basic format' and match the credential scope.");
        }

        var now = _time.GetUtcNow();
        if (signedAt < now - AllowedSkew)
        {
            return (400, "InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {Format(now - AllowedSkew)} ({Format(now)} - 5 min.)");
        }

        if (signedAt > now + AllowedSkew)
        {
            return (400, "InvalidSignatureException", $"Signature not yet current: {amzDate} is still later than {Format(now + AllowedSkew)} ({Format(now)} + 5 min.)");
        }

        if (!authorization.SignedHeaders.Contains("host") || !authorization.SignedHeaders.Contains("x-amz-date")
            || (token is not null && !authorization.SignedHeaders.Contains("x-amz-security-token")))
        {
            return (400, "InvalidSignatureException", "Signed headers must include host, x-amz-date and x-amz-security-token.");
        }

        var (valid, _, canonical) = ReferenceSigV4.Verify(request.Method, request.Path, request.Query, request.Header, request.Body, identity.Credentials.SecretAccessKey);
        request.SignatureValid = valid;
        if (!valid)
        {
            // AWS goes on with what it expected, which includes the session token: clients must not repeat it.
            var stringToSign = ReferenceSigV4.StringToSign(amzDate, Region, "secretsmanager", canonical);
            return (400, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " +
                $"Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n");
        }

        if (request.Header("x-amz-target") is not { } target || !SupportedTargets.Contains(target))
        {
            return (400, "UnknownOperationException", null);
        }

        if (request.Header("content-type") != JsonContentType)
        {
            return (400, "SerializationException", "Unexpected content type.");
        }

        return (200, null, null);
    }

    private async Task GetSecretValueAsync(HttpContext context, ReceivedRequest request, Identity identity)
    {
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
        var versionId = (string?)input["VersionId"];
        var versionStage = (string?)input["VersionStage"];
        var name = secretId is null ? null : _secrets.Keys.FirstOrDefault(n => n == secretId || ArnOf(n) == secretId);

        if (identity.Denied == "secretsmanager")
        {
            await WriteErrorAsync(context, 400, "com.amazon.coral.service#AccessDeniedException",
                $"User: arn:aws:iam::{AccountId}:user/app is not authorized to perform: secretsmanager:GetSecretValue on resource: {secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action");
            return;
        }

        if (identity.Denied == "kms")
        {
            await WriteErrorAsync(context, 400, "AccessDeniedException", "Access to KMS is not allowed");
            return;
        }

        if (name is null || !_secrets.TryGetValue(name, out var secret))
        {
            await WriteErrorAsync(context, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }

        if (secret.DeletionScheduled)
        {
            await WriteErrorAsync(context, 400, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
            return;
        }

        if (secret.DecryptionFails)
        {
            await WriteErrorAsync(context, 400, "DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
            return;
        }

        Version? version;
        lock (secret)
        {
            version = versionId is not null
                ? secret.Versions.FirstOrDefault(v => v.Id == versionId && (versionStage is null || v.Stages.Contains(versionStage)))
                : secret.Versions.FirstOrDefault(v => v.Stages.Contains(versionStage ?? "AWSCURRENT"));
        }

        if (version is null)
        {
            await WriteErrorAsync(context, 400, "ResourceNotFoundException",
                versionId is not null
                    ? $"Secrets Manager can't find the specified secret value for VersionId: {versionId}"
                    : $"Secrets Manager can't find the specified secret value for staging label: {versionStage ?? "AWSCURRENT"}");
            return;
        }

        var output = new JsonObject
        {
            ["ARN"] = ArnOf(secret.Name),
            ["Name"] = secret.Name,
            ["VersionId"] = version.Id,
            ["VersionStages"] = new JsonArray(version.Stages.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            ["CreatedDate"] = version.Created.ToUnixTimeMilliseconds() / 1000.0,
        };
        if (version.Text is not null)
        {
            output["SecretString"] = version.Text;
        }
        else
        {
            output["SecretBinary"] = Convert.ToBase64String(version.Binary!);
        }

        await WriteAsync(context, 200, Encoding.UTF8.GetBytes(output.ToJsonString()), ("Content-Type", JsonContentType));
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string? message)
    {
        var error = new JsonObject { ["__type"] = type };
        if (message is not null)
        {
            // AWS spells it "message" for errors of its front end (authentication, throttling) and "Message" for the service's own.
            error[LowerCaseMessageTypes.Contains(type) ? "message" : "Message"] = message;
        }

        return WriteAsync(context, status, Encoding.UTF8.GetBytes(error.ToJsonString()), ("Content-Type", JsonContentType));
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[]? body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        var chunked = false;
        foreach (var (name, value) in headers)
        {
            if (name == "Transfer-Encoding")
            {
                // Kestrel chunks a body of unknown length itself.
                chunked = true;
                continue;
            }

            context.Response.Headers[name] = value;
        }

        if (body is not null)
        {
            if (!chunked)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        }
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private sealed class Identity(AwsTestIdentity credentials)
    {
        public AwsTestIdentity Credentials { get; } = credentials;

        /// <summary>Gets the actions (<c>PutSecretValue</c>, …) denied to this identity besides <see cref="Denied"/>.</summary>
        public ConcurrentDictionary<string, bool> DeniedActions { get; } = new(StringComparer.Ordinal);

        public volatile bool TokenExpired;

        public volatile string? Denied;
    }

    private sealed class Secret(string name)
    {
        public string Name { get; } = name;

        /// <summary>Gets or sets when the secret last changed in any way (a version put, a label moved).</summary>
        public DateTimeOffset LastChanged { get; set; }

        public List<Version> Versions { get; } = [];

        public volatile bool DeletionScheduled;

        public volatile bool DecryptionFails;
    }

    private sealed class Version(string id, string? text, byte[]? binary, DateTimeOffset created)
    {
        public string Id { get; } = id;

        public string? Text { get; } = text;

        public byte[]? Binary { get; } = binary;

        public DateTimeOffset Created { get; } = created;

        public HashSet<string> Stages { get; } = new(StringComparer.Ordinal);
    }

    private sealed record CannedResponse(int Status, byte[]? Body, (string Name, string Value)[] Headers, bool BeforeVerification)
    {
        public Task? DropAfter { get; init; }
    }
}

/// <summary>One request as the fake Secrets Manager received it.</summary>
internal sealed class ReceivedRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, byte[] body)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public string Query { get; } = query;

    /// <summary>Gets the headers, names lower-cased.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public byte[] Body { get; } = body;

    public bool? SignatureValid { get; set; }

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}
