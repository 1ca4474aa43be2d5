using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>
/// The token endpoint of Azure App Service's managed identity, on 127.0.0.1 over HTTP as App Service's is: Azure.Identity's
/// <c>ManagedIdentityCredential</c> finds it through <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c>, calls
/// <c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=…</c> with the header <c>X-IDENTITY-HEADER</c>, and gets
/// the token the test chose. A request without the right header is refused, as App Service refuses it.
/// </summary>
internal sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    private readonly string _token;
    private LocalServer _server = null!;

    private ManagedIdentityEndpoint(string token)
    {
        _token = token;
    }

    /// <summary>Gets the secret header value the child must send (<c>IDENTITY_HEADER</c>).</summary>
    public string Header { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Gets the endpoint (<c>IDENTITY_ENDPOINT</c>).</summary>
    public Uri Endpoint => new(_server.Address, "msi/token");

    /// <summary>Gets the resources tokens were asked for, in order.</summary>
    public ConcurrentQueue<string> Resources { get; } = new();

    /// <summary>Gets the environment variables that make Azure.Identity's managed identity use this endpoint.</summary>
    public Dictionary<string, string> Variables => new() { ["IDENTITY_ENDPOINT"] = Endpoint.ToString(), ["IDENTITY_HEADER"] = Header };

    /// <summary>Starts an endpoint that hands out <paramref name="token"/>.</summary>
    public static async Task<ManagedIdentityEndpoint> StartAsync(string token)
    {
        var endpoint = new ManagedIdentityEndpoint(token);
        endpoint._server = await LocalServer.StartAsync(endpoint.HandleAsync);
        return endpoint;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var resource = request.Query["resource"].ToString();
        if (request.Path != "/msi/token" || request.Headers["X-IDENTITY-HEADER"] != Header || resource.Length == 0)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"statusCode":400,"message":"Unable to load the proper Managed Identity."}""");
            return;
        }

        Resources.Enqueue(resource);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["access_token"] = _token,
            ["expires_on"] = TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = Guid.Empty.ToString(),
        }.ToJsonString());
    }
}
