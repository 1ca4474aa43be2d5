using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// The IAM Identity Center (SSO) portal API on 127.0.0.1: <c>GET /federation/credentials?role_name=…&amp;account_id=…</c>
/// with the <c>x-amz-sso_bearer_token</c> header (<c>GetRoleCredentials</c>). It accepts the access token
/// <c>aws sso login</c> would have cached and mints temporary credentials that the given
/// <see cref="FakeSecretsManager"/> accepts. The AWS SDK reaches it through <c>AWS_ENDPOINT_URL_SSO</c>.
/// </summary>
internal sealed class LocalSsoPortal : IAsyncDisposable
{
    private readonly FakeSecretsManager _secretsManager;
    private readonly ConcurrentQueue<string> _secrets = new();
    private readonly ConcurrentQueue<(string? Role, string? Account, string? Token)> _calls = new();
    private LocalServer _server = null!;

    private LocalSsoPortal(FakeSecretsManager secretsManager)
    {
        _secretsManager = secretsManager;
    }

    public Uri Url => _server.Address;

    /// <summary>Gets or sets the access token the portal accepts.</summary>
    public string? AccessToken { get; set; }

    /// <summary>Gets the role, account and bearer token of each <c>GetRoleCredentials</c> call.</summary>
    public IReadOnlyCollection<(string? Role, string? Account, string? Token)> Calls => _calls;

    /// <summary>Gets every secret the portal issued: none may leak.</summary>
    public IEnumerable<string> IssuedSecrets => _secrets;

    public AwsTestIdentity? LastIssued { get; private set; }

    public static async Task<LocalSsoPortal> StartAsync(FakeSecretsManager secretsManager)
    {
        var portal = new LocalSsoPortal(secretsManager);
        portal._server = await LocalServer.StartAsync(portal.HandleAsync);
        return portal;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var token = request.Headers["x-amz-sso_bearer_token"].ToString();
        _calls.Enqueue((request.Query["role_name"], request.Query["account_id"], token));
        context.Response.ContentType = "application/json";
        if (request.Method != "GET" || request.Path != "/federation/credentials")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"message":"Not found"}""");
            return;
        }

        if (token.Length == 0 || token != AccessToken)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers["x-amzn-ErrorType"] = "UnauthorizedException";
            await context.Response.WriteAsync("""{"message":"Session token not found or invalid"}""");
            return;
        }

        var issued = _secretsManager.AddIdentity(temporary: true);
        _secrets.Enqueue(issued.SecretAccessKey);
        _secrets.Enqueue(issued.SessionToken!);
        LastIssued = issued;
        var body = new JsonObject
        {
            ["roleCredentials"] = new JsonObject
            {
                ["accessKeyId"] = issued.AccessKeyId,
                ["secretAccessKey"] = issued.SecretAccessKey,
                ["sessionToken"] = issued.SessionToken,
                ["expiration"] = TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds(),
            },
        };
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
