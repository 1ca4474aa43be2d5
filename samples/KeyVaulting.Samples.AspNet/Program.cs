using KeyVaulting;
using KeyVaulting.Samples.AspNet;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);

// Where the OpenAI key lives is configuration, not code: appsettings.{Environment}.json picks the store
// (.env in Development, AWS Secrets Manager in Staging, Azure Key Vault in Production, HashiCorp Vault in Vault).
builder.Services.AddOpenAIKeyProvider(builder.Configuration.GetSection("KeyVaulting"));

// The official OpenAI client, sending the provider's current key on every request: a rotated key is used at once.
builder.Services.AddOpenAIClient(builder.Configuration.GetSection("OpenAI"));
var model = builder.Configuration["Chat:Model"] ?? "gpt-4o-mini";
builder.Services.AddOpenAIChatClient(model)    // ChatClient, and IChatClient through Microsoft.Extensions.AI's builder
                .UseFunctionInvocation()
                .UseOpenTelemetry();

// Semantic Kernel: its OpenAI connector takes the OpenAIClient registered above, so it sends the current key too.
builder.Services.AddOpenAIChatCompletion(model);
builder.Services.AddKernel();

// OpenTelemetry: KeyVaulting's meter and spans, and the chat pipeline's gen_ai ones; exported over OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (for example by the Aspire dashboard).
var telemetry = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(KeyVaultingInstrumentation.MeterName, "Experimental.Microsoft.Extensions.AI"))
    .WithTracing(tracing => tracing.AddSource(KeyVaultingInstrumentation.ActivitySourceName, "Experimental.Microsoft.Extensions.AI"));
if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    telemetry.UseOtlpExporter();
}

// GET /health reports the key's fingerprint, source and age; never the key.
builder.Services.AddHealthChecks().AddOpenAIKeyProvider();

var app = builder.Build();

app.MapPost("/chat", ChatEndpoint.HandleAsync);
app.MapPost("/kernel", KernelEndpoint.HandleAsync);
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportJson.WriteAsync });

app.Run();

/// <summary>The application; public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
