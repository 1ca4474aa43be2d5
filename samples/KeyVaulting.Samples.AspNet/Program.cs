using KeyVaulting.Samples.AspNet;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

// Where the OpenAI key lives is configuration, not code: appsettings.{Environment}.json picks the store
// (.env in Development, AWS Secrets Manager in Staging, Azure Key Vault in Production, HashiCorp Vault in Vault).
builder.Services.AddOpenAIKeyProvider(builder.Configuration.GetSection("KeyVaulting"));

// The official OpenAI client, sending the provider's current key on every request: a rotated key is used at once.
builder.Services.AddOpenAIClient(builder.Configuration.GetSection("OpenAI"));
builder.Services.AddOpenAIChatClient(builder.Configuration["Chat:Model"] ?? "gpt-4o-mini"); // ChatClient + IChatClient

// GET /health reports the key's fingerprint, source and age; never the key.
builder.Services.AddHealthChecks().AddOpenAIKeyProvider();

var app = builder.Build();

app.MapPost("/chat", ChatEndpoint.HandleAsync);
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportJson.WriteAsync });

app.Run();

/// <summary>The application; public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
