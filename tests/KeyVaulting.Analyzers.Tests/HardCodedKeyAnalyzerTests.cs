using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.Analyzers.Internal;
using KeyVaulting.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace KeyVaulting.Analyzers.Tests;

public class HardCodedKeyAnalyzerTests
{
    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
        => Verify.Analyzer<HardCodedKeyAnalyzer>(source, expected).RunBoundedAsync();

    private static DiagnosticResult Kv0001(int location, string kind, string key)
        => new DiagnosticResult(Descriptors.HardCodedKey).WithLocation(location).WithArguments(kind, new OpenAIKey(key, "test").Fingerprint);

    public static TheoryData<string, string> EveryKind() => new()
    {
        { SampleKeys.Project(), "project key" },
        { SampleKeys.ServiceAccount(), "service account key" },
        { SampleKeys.Admin(), "admin key" },
        { SampleKeys.User(), "user key" },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task Literal_KeyOfEachKind_Reported(string key, string kind)
    {
        var source = $$"""
            class C
            {
                string Key = {|#0:"{{key}}"|};
            }
            """;

        await VerifyAsync(source, Kv0001(0, kind, key));
    }

    [Fact]
    public async Task Literal_KeyInsideLongerText_Reported()
    {
        var key = SampleKeys.Project();
        var source = $$"""
            class C
            {
                const string Header = {|#0:"Authorization: Bearer {{key}}"|};
            }
            """;

        await VerifyAsync(source, Kv0001(0, "project key", key));
    }

    [Fact]
    public async Task VerbatimRawAndUtf8Literals_Reported()
    {
        var key = SampleKeys.Project();
        var source = $$""""
            class C
            {
                string A = {|#0:@"{{key}}"|};
                string B = {|#1:"""{{key}}"""|};
                System.ReadOnlySpan<byte> U => {|#2:"{{key}}"u8|};
            }
            """";

        await VerifyAsync(source, Kv0001(0, "project key", key), Kv0001(1, "project key", key), Kv0001(2, "project key", key));
    }

    [Fact]
    public async Task ConcatenatedConstant_KeySplitAcrossLiterals_ReportedOnceOnTheWholeExpression()
    {
        var key = SampleKeys.Project();
        var source = $$"""
            class C
            {
                const string Key = {|#0:"{{key[..12]}}" + ("{{key[12..30]}}" + "{{key[30..]}}")|};
            }
            """;

        await VerifyAsync(source, Kv0001(0, "project key", key));
    }

    [Fact]
    public async Task ConstantInterpolatedString_KeyAcrossHoles_Reported()
    {
        var key = SampleKeys.ServiceAccount();
        var source = $$"""
            class C
            {
                const string Prefix = "sk-svcacct-";
                const string Body = "{{key["sk-svcacct-".Length..]}}";
                const string Key = {|#0:$"{Prefix}{Body}"|};
            }
            """;

        await VerifyAsync(source, Kv0001(0, "service account key", key));
    }

    [Fact]
    public async Task NamedConstantHoldingTheKey_ReportedWhereDeclaredOnly()
    {
        var key = SampleKeys.Project();
        var source = $$"""
            class C
            {
                const string Key = {|#0:"{{key}}"|};
                const string Header = "Bearer " + Key;
                string Interpolated => $"{Key}";
                string Used => Key;
            }
            """;

        await VerifyAsync(source, Kv0001(0, "project key", key));
    }

    [Fact]
    public async Task NonConstantInterpolatedString_KeyInItsText_Reported()
    {
        var key = SampleKeys.Admin();
        var source = $$"""
            class C
            {
                string Header(string name) => $"{name}: Bearer {|#0:{{key}}|}";
            }
            """;

        await VerifyAsync(source, Kv0001(0, "admin key", key));
    }

    [Fact]
    public async Task KeyInAttributeSwitchAndDefaultValue_Reported()
    {
        var key = SampleKeys.Project();
        var source = $$"""
            [System.Obsolete({|#0:"{{key}}"|})]
            class C
            {
                void M(string key = {|#1:"{{key}}"|}) { }
                int N(string s) => s switch { {|#2:"{{key}}"|} => 1, _ => 0 };
            }
            """;

        await VerifyAsync(source, Kv0001(0, "project key", key), Kv0001(1, "project key", key), Kv0001(2, "project key", key));
    }

    [Fact]
    public async Task KeyBuiltAtRunTime_NotReported()
    {
        // The repository's own fake keys: "sk-proj-" + new string('A', 48) is no constant.
        var source = """
            class C
            {
                string A = "sk-proj-" + new string('A', 48);
                string B = string.Concat("sk-proj-", "FakeKey4AnalyzerTests", "0123456789NotRealAtAll");
                string D(string body) => "sk-proj-" + body;
                static readonly string Prefix = "sk-proj-";
                string E => Prefix + "FakeKey4AnalyzerTests0123456789NotRealAtAll";
            }
            """;

        await VerifyAsync(source);
    }

    [Fact]
    public async Task PlaceholdersAndFingerprints_NotReported()
    {
        var source = $$"""
            class C
            {
                string A = "sk-proj-...";
                string B = "sk-proj-your-key-here";
                string D = "sk-proj-…Xy3Q";
                string E = "Set OPENAI_API_KEY to a project key (sk-proj-…).";
                string F = "{{"sk-proj-" + new string('x', 48)}}";
                // {{SampleKeys.Project()}} in a comment is not a string constant.
            }
            """;

        await VerifyAsync(source);
    }

    [Fact]
    public async Task Diagnostic_Message_ShowsFingerprintNeverTheKey()
    {
        var key = SampleKeys.Project(42);

        var diagnostics = await AnalyzerRunner.RunAsync($$"""class C { const string K = "{{key}}"; }""", new HardCodedKeyAnalyzer());

        var diagnostic = diagnostics.Should().ContainSingle().Subject;
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        message.Should().Contain("sk-proj-…0042").And.Contain("revoke").And.Contain("AddOpenAIKeyProvider");
        message.Should().NotContain(key).And.NotContain(key[8..20]);
        diagnostic.Descriptor.HelpLinkUri.Should().EndWith("docs/analyzers.md#kv0001");
        diagnostic.Descriptor.Category.Should().Be("Security");
        diagnostic.Severity.Should().Be(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);
    }

    [Fact]
    public async Task TestKeysOfThisRepository_NotReportedEvenAsLiterals()
    {
        // What TestKeys generates is deliberately not key-shaped, so pasting one as a literal stays quiet too.
        var source = $$"""
            class C
            {
                const string A = "{{TestKeys.Project()}}";
                const string B = "{{TestKeys.Numbered(7)}}";
            }
            """;

        await VerifyAsync(source);
    }
}
