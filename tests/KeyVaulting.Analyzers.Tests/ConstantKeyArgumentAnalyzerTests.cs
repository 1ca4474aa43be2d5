using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.Analyzers.Internal;
using Microsoft.CodeAnalysis.Testing;

namespace KeyVaulting.Analyzers.Tests;

public class ConstantKeyArgumentAnalyzerTests
{
    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
        => Verify.Analyzer<ConstantKeyArgumentAnalyzer>(source, expected).RunBoundedAsync();

    private static DiagnosticResult Kv0002(int location, string callee, string fingerprint)
        => new DiagnosticResult(Descriptors.ConstantKeyArgument).WithLocation(location).WithArguments(callee, fingerprint);

    [Fact]
    public async Task ApiKeyCredential_ConstantThatIsNoKey_Reported()
    {
        var source = """
            using System.ClientModel;

            class C
            {
                ApiKeyCredential Credential = new ApiKeyCredential({|#0:"placeholder"|});
            }
            """;

        await VerifyAsync(source, Kv0002(0, "new ApiKeyCredential(…)", "…"));
    }

    [Fact]
    public async Task OpenAIClients_ConstantKey_ReportedOnTheKeyArgumentOnly()
    {
        var source = """
            using OpenAI;
            using OpenAI.Chat;
            using OpenAI.Embeddings;
            using OpenAI.Images;

            class C
            {
                const string Key = "not-a-real-key-but-a-constant";

                void M()
                {
                    _ = new OpenAIClient({|#0:"dummy"|});
                    _ = new ChatClient("gpt-4o-mini", {|#1:Key|});
                    _ = new EmbeddingClient(apiKey: {|#2:"dummy"|}, model: "text-embedding-3-small");
                    ImageClient images = new("dall-e-3", {|#3:Key + "-suffix"|});
                }
            }
            """;

        await VerifyAsync(
            source,
            Kv0002(0, "new OpenAIClient(…)", "…"),
            Kv0002(1, "new ChatClient(…)", "…tant"),
            Kv0002(2, "new EmbeddingClient(…)", "…"),
            Kv0002(3, "new ImageClient(…)", "…ffix"));
    }

    [Fact]
    public async Task ApiKeyCredentialUpdate_Constant_Reported()
    {
        var source = """
            using System.ClientModel;

            class C
            {
                void Rotate(ApiKeyCredential credential) => credential.Update({|#0:"another-constant"|});
            }
            """;

        await VerifyAsync(source, Kv0002(0, "ApiKeyCredential.Update(…)", "…"));
    }

    [Fact]
    public async Task KeyReadAtRunTime_NotReported()
    {
        var source = """
            using System;
            using System.ClientModel;
            using OpenAI;
            using OpenAI.Chat;

            class C
            {
                static readonly string FromField = Environment.GetEnvironmentVariable("OPENAI_API_KEY")!;

                void M(string key)
                {
                    _ = new OpenAIClient(Environment.GetEnvironmentVariable("OPENAI_API_KEY")!);
                    _ = new ChatClient("gpt-4o-mini", new ApiKeyCredential(key));
                    _ = new ApiKeyCredential(FromField);
                    _ = new ApiKeyCredential(null!);
                }
            }
            """;

        await VerifyAsync(source);
    }

    [Fact]
    public async Task OtherStringParameters_NotReported()
    {
        // Constants are fine where the SDK takes no key (a model, a message), and in other libraries' "apiKey".
        var source = """
            using OpenAI.Chat;

            class Other
            {
                public Other(string apiKey) { }
            }

            class C
            {
                void M(ChatClient chat)
                {
                    _ = new SystemChatMessage("You are a helpful assistant.");
                    _ = new UserChatMessage("Hello");
                    _ = new Other("constant");
                    _ = chat.CompleteChat("Hello");
                }
            }
            """;

        await VerifyAsync(source);
    }

    [Fact]
    public async Task Diagnostic_KeyShapedConstant_MessageShowsFingerprintOnly()
    {
        var key = SampleKeys.Project(7);
        var source = $$"""
            using OpenAI;

            class C
            {
                OpenAIClient Client = new OpenAIClient("{{key}}");
            }
            """;

        var diagnostics = await AnalyzerRunner.RunAsync(source, new ConstantKeyArgumentAnalyzer(), new HardCodedKeyAnalyzer());

        diagnostics.Select(d => d.Id).Should().BeEquivalentTo(["KV0001", "KV0002"]);
        foreach (var diagnostic in diagnostics)
        {
            var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            message.Should().Contain("sk-proj-…0007").And.NotContain(key).And.NotContain(key[8..20]);
        }

        diagnostics.Single(d => d.Id == "KV0002").GetMessage(System.Globalization.CultureInfo.InvariantCulture)
            .Should().Contain("new OpenAIClient(…)").And.Contain("AddOpenAIClient()");
    }
}
