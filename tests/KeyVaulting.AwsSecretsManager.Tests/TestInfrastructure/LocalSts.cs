using System.Collections.Concurrent;
using System.Globalization;
using System.Security;
using System.Text;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// AWS Security Token Service on 127.0.0.1, speaking its query protocol (<c>POST /</c>, form body
/// <c>Action=AssumeRole…&amp;Version=2011-06-15</c>, XML answers). Each successful <c>AssumeRole</c> or
/// <c>AssumeRoleWithWebIdentity</c> mints new temporary credentials that the given <see cref="FakeSecretsManager"/>
/// accepts. <c>AssumeRole</c> must be SigV4-signed (service <c>sts</c>) by a caller registered with
/// <see cref="AllowCaller"/>; <c>AssumeRoleWithWebIdentity</c> is unsigned and must carry the expected web identity token.
/// The AWS SDK reaches it through <c>AWS_ENDPOINT_URL_STS</c>.
/// </summary>
internal sealed class LocalSts : IAsyncDisposable
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly FakeSecretsManager _secretsManager;
    private readonly ConcurrentDictionary<string, AwsTestIdentity> _callers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StsCall> _calls = new();
    private readonly ConcurrentQueue<(int Status, string Code, string Message)> _failures = new();
    private readonly ConcurrentQueue<string> _secrets = new();
    private LocalServer _server = null!;

    private LocalSts(FakeSecretsManager secretsManager)
    {
        _secretsManager = secretsManager;
    }

    public Uri Url => _server.Address;

    /// <summary>Gets or sets how long issued credentials live, from the real clock: the AWS SDK judges expiry by it.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    private readonly ConcurrentQueue<TimeSpan> _nextLifetimes = new();

    /// <summary>Gets or sets the web identity token <c>AssumeRoleWithWebIdentity</c> accepts.</summary>
    public string? ExpectedWebIdentityToken { get; set; }

    /// <summary>Gets the successful and failed calls, in order.</summary>
    public IReadOnlyCollection<StsCall> Calls => _calls;

    /// <summary>Gets every secret this STS issued (secret access keys, session tokens): none may leak.</summary>
    public IEnumerable<string> IssuedSecrets => _secrets;

    /// <summary>Gets the credentials of the last successful call.</summary>
    public AwsTestIdentity? LastIssued { get; private set; }

    public static async Task<LocalSts> StartAsync(FakeSecretsManager secretsManager)
    {
        var sts = new LocalSts(secretsManager);
        sts._server = await LocalServer.StartAsync(sts.HandleAsync);
        return sts;
    }

    /// <summary>Lets <paramref name="identity"/> call <c>AssumeRole</c>.</summary>
    public void AllowCaller(AwsTestIdentity identity) => _callers[identity.AccessKeyId] = identity;

    /// <summary>Makes the next successful call issue credentials that live <paramref name="lifetime"/> (then <see cref="CredentialLifetime"/> again).</summary>
    public void IssueNextFor(TimeSpan lifetime) => _nextLifetimes.Enqueue(lifetime);

    /// <summary>Answers the next call with this STS error (for example 403 <c>AccessDenied</c>).</summary>
    public void FailNext(int status, string code, string message) => _failures.Enqueue((status, code, message));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var form = ParseForm(Encoding.UTF8.GetString(body));
        var action = form.GetValueOrDefault("Action") ?? string.Empty;
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var call = new StsCall(action, form.GetValueOrDefault("RoleArn"), form.GetValueOrDefault("RoleSessionName"), form.GetValueOrDefault("WebIdentityToken"), headers);
        _calls.Enqueue(call);

        if (context.Request.Method != "POST" || form.GetValueOrDefault("Version") != "2011-06-15")
        {
            await WriteErrorAsync(context, 400, "InvalidAction", "Could not find operation " + action + " for version " + form.GetValueOrDefault("Version"));
            return;
        }

        if (_failures.TryDequeue(out var failure))
        {
            await WriteErrorAsync(context, failure.Status, failure.Code, failure.Message);
            return;
        }

        switch (action)
        {
            case "AssumeRoleWithWebIdentity":
                if (call.WebIdentityToken is null || call.WebIdentityToken != ExpectedWebIdentityToken)
                {
                    await WriteErrorAsync(context, 400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
                    return;
                }

                break;

            case "AssumeRole":
                var caller = VerifyCaller(headers, body, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty);
                if (caller is null)
                {
                    await WriteErrorAsync(context, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
                    return;
                }

                call.CallerAccessKeyId = caller.AccessKeyId;
                break;

            default:
                await WriteErrorAsync(context, 400, "InvalidAction", "Could not find operation " + action + " for version 2011-06-15");
                return;
        }

        var issued = _secretsManager.AddIdentity(temporary: true);
        _secrets.Enqueue(issued.SecretAccessKey);
        _secrets.Enqueue(issued.SessionToken!);
        LastIssued = issued;
        call.Issued = issued;
        var lifetime = _nextLifetimes.TryDequeue(out var next) ? next : CredentialLifetime;
        var expiration = TimeProvider.System.GetUtcNow().Add(lifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var xml =
            $"""
            <{action}Response xmlns="{Namespace}">
              <{action}Result>
                <Credentials>
                  <AccessKeyId>{issued.AccessKeyId}</AccessKeyId>
                  <SecretAccessKey>{SecurityElement.Escape(issued.SecretAccessKey)}</SecretAccessKey>
                  <SessionToken>{SecurityElement.Escape(issued.SessionToken)}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
                <AssumedRoleUser>
                  <AssumedRoleId>AROATEST:{SecurityElement.Escape(call.RoleSessionName)}</AssumedRoleId>
                  <Arn>arn:aws:sts::{FakeSecretsManager.AccountId}:assumed-role/openai-reader/{SecurityElement.Escape(call.RoleSessionName)}</Arn>
                </AssumedRoleUser>
              </{action}Result>
              <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
            </{action}Response>
            """;
        await WriteAsync(context, 200, xml);
    }

    private AwsTestIdentity? VerifyCaller(Dictionary<string, string> headers, byte[] body, string path, string query)
    {
        if (!headers.TryGetValue("authorization", out var authorization))
        {
            return null;
        }

        var parsed = ReferenceSigV4.ParseAuthorization(authorization);
        if (parsed.Service != "sts" || !_callers.TryGetValue(parsed.AccessKeyId, out var caller)
            || (caller.SessionToken is not null && headers.GetValueOrDefault("x-amz-security-token") != caller.SessionToken))
        {
            return null;
        }

        var (valid, _, _) = ReferenceSigV4.Verify("POST", path, query, name => headers.GetValueOrDefault(name.ToLowerInvariant()), body, caller.SecretAccessKey);
        return valid ? caller : null;
    }

    private static Dictionary<string, string> ParseForm(string body)
        => body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(
                p => Uri.UnescapeDataString(p[0].Replace('+', ' ')),
                p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty,
                StringComparer.Ordinal);

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
        => WriteAsync(
            context,
            status,
            $"""
            <ErrorResponse xmlns="{Namespace}">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>
              <RequestId>{Guid.NewGuid()}</RequestId>
            </ErrorResponse>
            """);

    private static async Task WriteAsync(HttpContext context, int status, string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }
}

/// <summary>One call the local STS received.</summary>
internal sealed class StsCall(string action, string? roleArn, string? roleSessionName, string? webIdentityToken, IReadOnlyDictionary<string, string> headers)
{
    public string Action { get; } = action;

    public string? RoleArn { get; } = roleArn;

    public string? RoleSessionName { get; } = roleSessionName;

    public string? WebIdentityToken { get; } = webIdentityToken;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public string? CallerAccessKeyId { get; set; }

    public AwsTestIdentity? Issued { get; set; }
}
