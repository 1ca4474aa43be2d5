using KeyVaulting.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace KeyVaulting.Analyzers.Tests;

public class ConstantKeyArgumentCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = Verify.CodeFix<ConstantKeyArgumentAnalyzer, ConstantKeyArgumentCodeFixProvider>(source, fixedSource);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunBoundedAsync();
    }

    private static Task VerifyNoFixAsync(string source) => VerifyAsync(source, source);

    [Fact]
    public async Task AddSingletonInstance_OpenAIClient_ReplacedWithAddOpenAIClient()
    {
        var source = """
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddLogging();
                    services.AddSingleton(new OpenAIClient({|KV0002:"dummy"|}));
                }
            }
            """;
        var fixedSource = """
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddLogging();
                    services.AddOpenAIClient();
                }
            }
            """;

        await VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task HostBuilderFactory_ChatClient_ReplacedWithAddOpenAIChatClientKeepingTheModel()
    {
        var source = """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using OpenAI.Chat;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddSingleton(sp => new ChatClient("gpt-4o-mini", {|KV0002:"dummy"|}));
            builder.Build().Run();
            """;
        var fixedSource = """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using OpenAI.Chat;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddOpenAIChatClient("gpt-4o-mini");
            builder.Build().Run();
            """;

        var test = Verify.CodeFix<ConstantKeyArgumentAnalyzer, ConstantKeyArgumentCodeFixProvider>(source, fixedSource);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.FixedState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunBoundedAsync();
    }

    [Fact]
    public async Task FactoryWithBlockBody_CredentialInsideEmbeddingClient_ReplacedWithAddOpenAIEmbeddingClient()
    {
        var source = """
            using System.ClientModel;
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI.Embeddings;

            static class Startup
            {
                const string Model = "text-embedding-3-small";

                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<EmbeddingClient>(_ =>
                    {
                        return new EmbeddingClient(Model, new ApiKeyCredential({|KV0002:"dummy"|}));
                    });
                }
            }
            """;
        var fixedSource = """
            using System.ClientModel;
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI.Embeddings;

            static class Startup
            {
                const string Model = "text-embedding-3-small";

                public static void Configure(IServiceCollection services)
                {
                    services.AddOpenAIEmbeddingClient(Model);
                }
            }
            """;

        await VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task TryAddWithoutTheUsing_AddsTheUsing()
    {
        var source = """
            using Microsoft.Extensions.DependencyInjection.Extensions;
            using OpenAI;

            static class Startup
            {
                public static void Configure(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
                {
                    services.TryAddSingleton(new OpenAIClient({|KV0002:"dummy"|}));
                }
            }
            """;
        var fixedSource = """
            using Microsoft.Extensions.DependencyInjection.Extensions;
            using OpenAI;
            using Microsoft.Extensions.DependencyInjection;

            static class Startup
            {
                public static void Configure(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
                {
                    services.AddOpenAIClient();
                }
            }
            """;

        await VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task ChatClientRegistrationWhoseValueIsReturned_NoFix()
    {
        // AddOpenAIChatClient returns a ChatClientBuilder, not the IServiceCollection this method returns.
        await VerifyNoFixAsync("""
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI.Chat;

            static class Startup
            {
                public static IServiceCollection Configure(IServiceCollection services)
                    => services.AddSingleton(_ => new ChatClient("gpt-4o-mini", {|KV0002:"dummy"|}));
            }
            """);
    }

    [Fact]
    public async Task ClientWithOptions_NoFix()
    {
        // The options may point at another endpoint (a local server, Azure): AddOpenAIClient() would not.
        await VerifyNoFixAsync("""
            using System;
            using System.ClientModel;
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton(new OpenAIClient(
                        new ApiKeyCredential({|KV0002:"ollama"|}),
                        new OpenAIClientOptions { Endpoint = new Uri("http://localhost:11434/v1") }));
                }
            }
            """);
    }

    [Fact]
    public async Task ClientOutsideARegistration_NoFix()
    {
        await VerifyNoFixAsync("""
            using OpenAI.Chat;

            class Summarizer
            {
                private readonly ChatClient _chat = new ChatClient("gpt-4o-mini", {|KV0002:"dummy"|});
            }
            """);
    }

    [Fact]
    public async Task ModelReadFromTheServiceProvider_NoFix()
    {
        await VerifyNoFixAsync("""
            using System;
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI.Chat;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton(sp => new ChatClient(sp.GetRequiredService<Func<string>>()(), {|KV0002:"dummy"|}));
                }
            }
            """);
    }

    [Fact]
    public async Task RegisteredAsAnotherServiceType_NoFix()
    {
        await VerifyNoFixAsync("""
            using Microsoft.Extensions.DependencyInjection;
            using OpenAI;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<object>(new OpenAIClient({|KV0002:"dummy"|}));
                }
            }
            """);
    }
}
