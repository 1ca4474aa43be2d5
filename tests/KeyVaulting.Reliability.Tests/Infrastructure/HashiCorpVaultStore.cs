using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// HashiCorp Vault's HTTP API over plain HTTP: a KV v2 read (<c>GET /v1/secret/data/{path}</c>), token lookup,
/// renewal and AppRole login, with Vault's JSON envelope and <c>{"errors": [...]}</c> bodies. Tokens and the AppRole
/// secret_id are sentinels; Vault echoes the token in lookup-self, as the real one does.
/// </summary>
public sealed class HashiCorpVaultStore : FakeStore
{
    private readonly string _roleId = Guid.NewGuid().ToString();
    private readonly string? _secretIdFile;

    private HashiCorpVaultStore(string? field, bool appRole)
        : base(field)
    {
        Token = Remember(Sentinel.Of("Vault token", "test-token-"));
        if (appRole)
        {
            SecretId = Remember(Sentinel.Of("AppRole secret_id", "test-secret-id-"));
            _secretIdFile = Path.Combine(Path.GetTempPath(), $"keyvaulting-secret-id-{Id}");
            File.WriteAllText(_secretIdFile, SecretId.Value + "\n");
        }
    }

    public override string StoreName => "HashiCorpVault";

    public string SecretPath => "openai-" + Id;

    public override string SourceName => $"HashiCorpVault:secret/{SecretPath}";

    public override string JsonFieldSetting => "JsonField";

    /// <summary>Gets the token Vault accepts: given to the source, or issued by the AppRole login.</summary>
    public Sentinel Token { get; }

    /// <summary>Gets the AppRole secret_id, when the source logs in with AppRole.</summary>
    public Sentinel? SecretId { get; }

    /// <summary>Gets or sets a value indicating whether AppRole logins are refused with an error that repeats the secret_id.</summary>
    public bool RefuseLogin { get; set; }

    /// <summary>Gets or sets the KV version of the secret.</summary>
    public int Version { get; set; } = 1;

    public static async Task<HashiCorpVaultStore> StartAsync(string? field = null, bool appRole = false)
    {
        var store = new HashiCorpVaultStore(field, appRole);
        await store.ListenAsync();
        return store;
    }

    public override void AddTo(IOpenAIKeyProviderBuilder builder)
        => builder.AddHashiCorpVault(SecretPath, options =>
        {
            options.Address = Address;
            options.Namespace = string.Empty;
            options.CaCertificatePath = string.Empty;
            if (JsonField is not null)
            {
                options.JsonField = JsonField;
            }

            if (_secretIdFile is not null)
            {
                options.UseAppRole(_roleId, secretIdFile: _secretIdFile);
            }
            else
            {
                options.UseToken(Token.Value);
            }
        });

    public override string ExpectedReason(StoreFault fault) => fault switch
    {
        StoreFault.InternalServerError => "Vault failed the read of secret/data/" + SecretPath + " (HTTP 500: internal error)",
        StoreFault.BadGateway => "(HTTP 502)",
        StoreFault.ServiceUnavailable => "Vault is unavailable",
        StoreFault.TooManyRequests => "Vault is rate limiting requests",
        StoreFault.Hang => "did not answer within",
        StoreFault.ConnectionRefused => $"Vault at {Address.GetLeftPart(UriPartial.Authority)} could not be reached",
        StoreFault.MalformedJson => "is not JSON",
        StoreFault.TruncatedBody => "broke while reading its answer",
        StoreFault.WrongContentType => "text/html) is not JSON",
        StoreFault.HugeBody => "larger than 256 KiB",
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    public override string ExpectedReason(StoreAbsence absence) => absence switch
    {
        StoreAbsence.DeletedSecret => $"Vault has no secret at secret/data/{SecretPath}",
        StoreAbsence.DeletedVersion => $"version {Version} of the secret at secret/data/{SecretPath} was deleted at 2026-03-02T10:00:00",
        _ => throw new ArgumentOutOfRangeException(nameof(absence)),
    };

    protected override async Task AnswerAbsentAsync(HttpContext context, StoreAbsence absence)
    {
        if (context.Request.Headers["X-Vault-Token"].ToString() != Token.Value)
        {
            await AnswerAsync(context);
            return;
        }

        if (absence == StoreAbsence.DeletedSecret)
        {
            // The metadata was deleted (vault kv metadata delete): Vault answers 404 with no error text.
            await WriteErrorAsync(context, 404);
            return;
        }

        // The current version was soft-deleted (vault kv delete): 404 with the version's metadata and no data.
        var metadata = new JsonObject
        {
            ["created_time"] = "2026-03-02T09:00:00.000000Z",
            ["custom_metadata"] = null,
            ["deletion_time"] = "2026-03-02T10:00:00.000000Z",
            ["destroyed"] = false,
            ["version"] = Version,
        };
        await WriteAsync(context, 404, "application/json", Envelope(data: new JsonObject { ["data"] = null, ["metadata"] = metadata }).ToJsonString());
    }

    protected override (int Status, string ContentType, string Body) EchoingError(string message)
        => (400, "application/json", ErrorBody($"1 error occurred:\n\t* invalid request with X-Vault-Token {Token.Value}; {message}\n\n"));

    protected override void OnNewVersion() => Version++;

    protected override bool IsSecretRead(HttpRequest request)
        => request.Path.Value == "/v1/secret/data/" + SecretPath;

    protected override async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var token = request.Headers["X-Vault-Token"].ToString();
        switch (request.Method, request.Path.Value)
        {
            case ("POST" or "PUT", "/v1/auth/approle/login"):
                using (var login = await JsonDocument.ParseAsync(request.Body))
                {
                    var root = login.RootElement;
                    if (RefuseLogin)
                    {
                        // A hostile or verbose endpoint that repeats what it was sent.
                        await WriteErrorAsync(context, 400, $"invalid role or secret ID: role_id={_roleId} secret_id={root.GetProperty("secret_id").GetString()}");
                        return;
                    }

                    if (SecretId is null
                        || root.GetProperty("role_id").GetString() != _roleId
                        || root.GetProperty("secret_id").GetString() != SecretId.Value)
                    {
                        await WriteErrorAsync(context, 400, "invalid role or secret ID");
                        return;
                    }
                }

                await WriteJsonAsync(context, Envelope(auth: Auth(3600)));
                return;
            case (_, _) when token != Token.Value:
                await WriteErrorAsync(context, 403, "permission denied", "invalid token");
                return;
            case ("GET", "/v1/auth/token/lookup-self"):
                await WriteJsonAsync(context, Envelope(data: new JsonObject
                {
                    ["id"] = Token.Value,
                    ["ttl"] = SecretId is null ? 0 : 3600,
                    ["renewable"] = SecretId is not null,
                    ["policies"] = new JsonArray("default", "openai-read"),
                    ["type"] = "service",
                }));
                return;
            case ("POST" or "PUT", "/v1/auth/token/renew-self"):
                await WriteJsonAsync(context, Envelope(auth: Auth(3600)));
                return;
            case ("GET", _) when IsSecretRead(request):
                var (type, body) = SecretAnswer(SecretText);
                context.Response.ContentType = type;
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body);
                return;
            default:
                await WriteErrorAsync(context, 404);
                return;
        }
    }

    protected override (string ContentType, string Body) Error(int status) => status switch
    {
        429 => ("application/json", ErrorBody($"request path \"secret/data/{SecretPath}\": rate limit quota exceeded")),
        503 => ("application/json", ErrorBody("Vault is sealed")),
        _ => ("application/json", ErrorBody("internal error")),
    };

    protected override (string ContentType, byte[] Body) SecretAnswer(string value)
    {
        // The KV data object: {"api_key": value}, or the stored JSON object itself when a field is configured.
        string data;
        if (JsonField is null)
        {
            data = new JsonObject { ["api_key"] = value, ["owner"] = "team-ai" }.ToJsonString();
        }
        else
        {
            data = value;
        }

        var metadata = new JsonObject
        {
            ["created_time"] = "2026-03-02T09:00:00.000000Z",
            ["custom_metadata"] = null,
            ["deletion_time"] = string.Empty,
            ["destroyed"] = false,
            ["version"] = Version,
        };

        // Spliced as text: the stored object may be JSON that a parser would normalize (duplicated names).
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"{{\"request_id\":\"{Guid.NewGuid()}\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,");
        body.Append("\"data\":{\"data\":").Append(data).Append(",\"metadata\":").Append(metadata.ToJsonString()).Append("},");
        body.Append("\"wrap_info\":null,\"warnings\":null,\"auth\":null}");
        return ("application/json", Encoding.UTF8.GetBytes(body.ToString()));
    }

    protected override void Cleanup()
    {
        if (_secretIdFile is not null)
        {
            File.Delete(_secretIdFile);
        }
    }

    private JsonObject Auth(int ttl) => new()
    {
        ["client_token"] = Token.Value,
        ["accessor"] = Guid.NewGuid().ToString(),
        ["policies"] = new JsonArray("default", "openai-read"),
        ["token_policies"] = new JsonArray("default", "openai-read"),
        ["lease_duration"] = ttl,
        ["renewable"] = true,
        ["token_type"] = "service",
    };

    private static JsonObject Envelope(JsonObject? data = null, JsonObject? auth = null) => new()
    {
        ["request_id"] = Guid.NewGuid().ToString(),
        ["lease_id"] = string.Empty,
        ["renewable"] = false,
        ["lease_duration"] = 0,
        ["data"] = data,
        ["wrap_info"] = null,
        ["warnings"] = null,
        ["auth"] = auth,
    };

    private static string ErrorBody(params string[] errors)
        => new JsonObject { ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode?)e)]) }.ToJsonString();

    private static Task WriteJsonAsync(HttpContext context, JsonObject body)
        => WriteAsync(context, 200, "application/json", body.ToJsonString());

    private static Task WriteErrorAsync(HttpContext context, int status, params string[] errors)
        => WriteAsync(context, status, "application/json", ErrorBody(errors));
}
