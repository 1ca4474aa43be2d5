using KeyVaulting.Testing;

namespace KeyVaulting.Docs.Tests;

/// <summary>
/// Every C# snippet in the documentation compiles as written (see <see cref="SnippetCompiler"/> for what "as written"
/// assumes), so a reader who copies one gets working code. A block that must not compile (an anti-pattern) says so with
/// <c>&lt;!-- snippet: not compiled (reason) --&gt;</c> on the line before it.
/// </summary>
public sealed class DocumentationSnippetTests
{
    public static TheoryData<string> Documents()
    {
        var root = Fixtures.RepositoryRoot;
        var documents = new TheoryData<string>();
        foreach (var path in new[] { Path.Combine(root, "README.md") }
                     .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
                     .Concat(Directory.EnumerateFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories))
                     .Order(StringComparer.Ordinal))
        {
            documents.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Snippets_CompileAsWritten(string document)
    {
        var snippets = Snippet.Read(Fixtures.RepositoryRoot, document);

        var problems = snippets.Where(s => s.Exemption is null).SelectMany(SnippetCompiler.Compile).ToList();

        string.Join(Environment.NewLine, problems).Should().BeEmpty("every C# snippet of {0} must compile as the Program.cs of a web app (see SnippetCompiler)", document);
        snippets.Where(s => s.Exemption is { Length: 0 }).Should().BeEmpty("an exempted snippet says why");
    }

    [Fact]
    public void Compile_SnippetMissingItsUsing_ReportsTheErrorAtItsLine()
    {
        var snippet = new Snippet("README.md", 40, "builder.Services.AddOpenAIKeyProvider();\nIOpenAIKeyProvider? provider = null;\n_ = provider;", Exemption: null);

        var problems = SnippetCompiler.Compile(snippet);

        problems.Should().ContainSingle().Which.Should().StartWith("README.md:41: CS0246");
    }

    [Fact]
    public void Compile_CompleteSnippet_HasNoProblem()
    {
        var snippet = new Snippet("README.md", 1, "using KeyVaulting;\n\nbuilder.Services.AddOpenAIKeyProvider();\nIOpenAIKeyProvider? provider = null;\nConsole.WriteLine(provider);", Exemption: null);

        SnippetCompiler.Compile(snippet).Should().BeEmpty();
    }

    [Fact]
    public void Read_ExemptedBlock_CarriesItsReason()
    {
        using var temp = new TempFile("Before.\n\n<!-- snippet: not compiled (shows the mistake) -->\n```csharp\nnew OpenAIClient(\"x\");\n```\n");

        var snippet = Snippet.Read(temp.Directory, temp.Name).Should().ContainSingle().Subject;

        snippet.Exemption.Should().Be("shows the mistake");
        snippet.Line.Should().Be(5);
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(string text)
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("kv-docs-").FullName;
            File.WriteAllText(Path.Combine(Directory, Name), text);
        }

        public string Directory { get; }

        public string Name => "doc.md";

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
