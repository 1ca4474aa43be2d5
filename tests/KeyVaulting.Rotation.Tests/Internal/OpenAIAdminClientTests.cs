using System.Text;
using KeyVaulting.Rotation.Internal.Admin;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Rotation.Tests.Internal;

/// <summary>The Admin API client against OpenAI's published example answers (tests/fixtures/openai/admin), served verbatim.</summary>
public sealed class OpenAIAdminClientTests
{
    private static readonly string AdminKey = "sk-admin-" + new string('Z', 40);

    [Fact]
    public async Task CreateServiceAccountKeyAsync_SpecExampleAnswer_ReadsValueIdNameAndCreation()
    {
        await using var server = await FixtureServer.StartAsync("create-project-service-account-api-key.example-response.json");

        var minted = await Client(server).CreateServiceAccountKeyAsync("proj_abc", "svc_acct_abc", "keyvaulting-x", 100, ["api.responses.write"], CancellationToken.None);

        minted.Value.Should().Be("sk-abcdefghijklmnop123");
        minted.Record.KeyId.Should().Be("key_abc");
        minted.Record.ServiceAccountId.Should().Be("svc_acct_abc");
        minted.Record.CreatedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1711471533));
        minted.Record.ExpiresAt.Should().BeNull("the stored spec's answer has no expires_at");
        server.Method.Should().Be("POST");
        server.Path.Should().Be("/v1/organization/projects/proj_abc/service_accounts/svc_acct_abc/api_keys");
        server.Body.Should().Be("""{"name":"keyvaulting-x","scopes":["api.responses.write"],"expires_in_seconds":100}""");
        server.Authorization.Should().Be("Bearer " + AdminKey);
    }

    [Fact]
    public async Task CreateServiceAccountKeyAsync_CurrentReferenceAnswerWithExpiry_ReadsExpiresAt()
    {
        await using var server = await FixtureServer.StartAsync("create-project-service-account-api-key.with-expiry.derived.json", path: "response");

        var minted = await Client(server).CreateServiceAccountKeyAsync("proj_abc", "svc_acct_abc", "k", 2593200, [], CancellationToken.None);

        minted.Record.ExpiresAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1798546800));
    }

    [Fact]
    public async Task CreateServiceAccountAsync_SpecExampleAnswer_ReadsTheAccountAndItsKey()
    {
        await using var server = await FixtureServer.StartAsync("create-project-service-account.example-response.json");

        var minted = await Client(server).CreateServiceAccountAsync("proj_abc", "keyvaulting-x", null, CancellationToken.None);

        minted.Record.ServiceAccountId.Should().Be("svc_acct_abc");
        minted.Record.KeyId.Should().Be("key_abc");
        minted.Value.Should().Be("sk-abcdefghijklmnop123");
        server.Body.Should().Be("""{"name":"keyvaulting-x"}""");
    }

    [Fact]
    public async Task ListApiKeysAsync_SpecExampleAnswer_ReadsIdNameCreationAndOwner()
    {
        await using var server = await FixtureServer.StartAsync("list-project-api-keys.example-response.json");

        var keys = await Client(server).ListApiKeysAsync("proj_abc", CancellationToken.None);

        var key = keys.Should().ContainSingle().Subject;
        key.Id.Should().Be("key_abc");
        key.Name.Should().Be("My API Key");
        key.OwnerType.Should().Be("user");
        key.CreatedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1711471533));
        server.Path.Should().Be("/v1/organization/projects/proj_abc/api_keys");
        server.Query.Should().Be("?limit=100");
    }

    [Theory]
    [InlineData("delete-project-api-key.example-response.json")]
    [InlineData("delete-project-service-account.example-response.json")]
    public async Task DeleteAsync_SpecExampleAnswer_Deleted(string fixture)
    {
        await using var server = await FixtureServer.StartAsync(fixture);
        var client = Client(server);

        var outcome = fixture.Contains("service-account", StringComparison.Ordinal)
            ? await client.DeleteServiceAccountAsync("proj_abc", "svc_acct_abc", CancellationToken.None)
            : await client.DeleteApiKeyAsync("proj_abc", "key_abc", CancellationToken.None);

        outcome.Should().Be(DeleteOutcome.Deleted);
        server.Method.Should().Be("DELETE");
    }

    [Fact]
    public async Task SendAsync_Redirect_NotFollowedAndReported()
    {
        var requests = 0;
        await using var server = await LocalServer.StartAsync(context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "http://127.0.0.1:1/elsewhere";
            return Task.CompletedTask;
        });

        var act = () => Client(new Uri(server.Address, "v1/")).ListApiKeysAsync("proj_abc", CancellationToken.None);

        (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which.Message.Should().Contain("redirect").And.Contain("AdminEndpoint");
        requests.Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_AnswerLargerThanTheCap_NotBufferedAndReported()
    {
        await using var server = await LocalServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 200;
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 32; i++)
            {
                await context.Response.Body.WriteAsync(chunk);
            }
        });

        var act = () => Client(new Uri(server.Address, "v1/")).ListApiKeysAsync("proj_abc", CancellationToken.None);

        (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which.Message.Should().Contain("larger than 1024 KiB");
    }

    [Fact]
    public async Task SendAsync_ErrorBodyEchoingTheKey_MessageHasStatusTypeAndCodeOnly()
    {
        await using var server = await LocalServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"key " + AdminKey + " lacks api.management.write\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"missing_scope\"}}");
        });

        var act = () => Client(new Uri(server.Address, "v1/")).DeleteServiceAccountAsync("proj_abc", "svc_acct_abc", CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<OpenAIKeyRotationException>()).Which;
        failure.StatusCode.Should().Be(403);
        failure.ErrorCode.Should().Be("missing_scope");
        failure.Message.Should().Contain("permission").And.NotContain("api.management.write", "the body is never repeated");
        failure.ShouldNotContainSecrets(AdminKey, AdminKey[^12..]);
    }

    private static OpenAIAdminClient Client(FixtureServer server) => Client(server.Endpoint);

    private static OpenAIAdminClient Client(Uri endpoint)
    {
        var admin = new MutableKeySource("Memory:admin");
        admin.SetValue(AdminKey);
        var keys = new ServiceCollection().AddOpenAIKeyProvider("openai-admin").AddSource(admin).Services
            .BuildServiceProvider().GetRequiredKeyedService<IOpenAIKeyProvider>("openai-admin");
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        return new OpenAIAdminClient(() => http, endpoint, keys, "openai-admin", TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>Answers one fixture file (or one property of it) and records the request it got.</summary>
    private sealed class FixtureServer : IAsyncDisposable
    {
        private LocalServer _server = null!;

        public Uri Endpoint => new(_server.Address, "v1/");

        public string? Method { get; private set; }

        public string? Path { get; private set; }

        public string? Query { get; private set; }

        public string? Body { get; private set; }

        public string? Authorization { get; private set; }

        public static async Task<FixtureServer> StartAsync(string fixture, string? path = null)
        {
            var text = await File.ReadAllTextAsync(Fixtures.PathOf("openai", "admin", fixture));
            if (path is not null)
            {
                text = System.Text.Json.Nodes.JsonNode.Parse(text)![path]!.ToJsonString();
            }

            var server = new FixtureServer();
            server._server = await LocalServer.StartAsync(async context =>
            {
                server.Method = context.Request.Method;
                server.Path = context.Request.Path.Value;
                server.Query = context.Request.QueryString.Value;
                server.Authorization = context.Request.Headers.Authorization.ToString();
                server.Body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(text);
            });
            return server;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
