using System.Reflection;
using KeyVaulting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI.Chat;

// `Consumer --declared-stores` (run by eng/check-consumer.sh, trimmed too) prints the store factories this app
// declares: the store packages' build targets add [assembly: OpenAIKeyStore(typeof(<options>))] to it, and each store
// assembly names its factories. It creates each factory as KeyVaulting does, so a trimmed app that lost one fails here.
if (args is ["--declared-stores"])
{
    using var services = new ServiceCollection().BuildServiceProvider();
    foreach (var declared in typeof(Program).Assembly.GetCustomAttributes<OpenAIKeyStoreAttribute>())
    {
        foreach (var factory in declared.Type.Assembly.GetCustomAttributes<OpenAIKeyStoreAttribute>())
        {
            var created = ActivatorUtilities.CreateInstance(services, factory.Type);
            var typeName = created switch
            {
                IOpenAIKeySourceFactory source => "source " + source.TypeName,
                IOpenAIKeyRotationTargetFactory target => "rotation target " + target.TypeName,
                _ => "unknown",
            };
            Console.WriteLine($"{declared.Type.Name}: {typeName}");
        }
    }

    return;
}

// Otherwise it only compiles against every package; never run by the check (it would need a key and a store).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOpenAIKeyProvider(builder.Configuration.GetSection("KeyVaulting"));
builder.Services.AddOpenAIClient();
builder.Services.AddOpenAIChatClient("gpt-4o-mini");
using var host = builder.Build();
ChatClient chat = host.Services.GetRequiredService<ChatClient>();
Console.WriteLine(chat.GetType().Name);
