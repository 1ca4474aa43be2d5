using KeyVaulting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace KeyVaulting.Samples.Console;

/// <summary>
/// <c>--live</c>: the same wiring against the real OpenAI API, with the key from the configured chain (by default
/// <c>OPENAI_API_KEY</c>, then <c>.env</c>): resolve the key, list models, one short chat completion.
/// </summary>
internal static class LiveRun
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A missing key is reported below as one clean message; the host's own error log would repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        var keyVaulting = builder.Configuration.GetSection("KeyVaulting");
        if (keyVaulting.Exists())
        {
            builder.Services.AddOpenAIKeyProvider(keyVaulting);
        }
        else
        {
            builder.Services.AddOpenAIKeyProvider(); // OPENAI_API_KEY, then .env
        }

        builder.Services.AddOpenAIClient(builder.Configuration.GetSection("OpenAI"));
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OpenAIKeyUnavailableException ex)
        {
            error.WriteLine(ex.Message);
            return 2;
        }

        var key = await host.Services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync(cancellationToken);
        output.WriteLine($"Key: {key.Fingerprint} from {key.Source}");

        var client = host.Services.GetRequiredService<OpenAIClient>();
        var models = await client.GetOpenAIModelClient().GetModelsAsync(cancellationToken);
        output.WriteLine($"Models available to this key: {models.Value.Count}");

        var model = builder.Configuration["Model"] ?? "gpt-4o-mini";
        var chat = client.GetChatClient(model);
        var answer = await chat.CompleteChatAsync([new UserChatMessage("Reply with one short friendly sentence.")], cancellationToken: cancellationToken);
        output.WriteLine($"{model}: {answer.Value.Content[0].Text}");
        await host.StopAsync(cancellationToken);
        return 0;
    }
}
