using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI.Chat;

// Compiles against every package; never run by the check (it would need a key and a store).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOpenAIKeyProvider(builder.Configuration.GetSection("KeyVaulting"));
builder.Services.AddOpenAIClient();
builder.Services.AddOpenAIChatClient("gpt-4o-mini");
using var host = builder.Build();
ChatClient chat = host.Services.GetRequiredService<ChatClient>();
Console.WriteLine(chat.GetType().Name);
