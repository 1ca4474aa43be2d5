using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.KeyShapes;
using KeyVaulting.Testing;

namespace KeyVaulting.Analyzers.Tests.KeyShapes;

public class OpenAIKeyShapesTests
{
    public static TheoryData<string, string> EveryKind() => new()
    {
        { SampleKeys.Project(), nameof(OpenAIKeyKind.Project) },
        { SampleKeys.ServiceAccount(), nameof(OpenAIKeyKind.ServiceAccount) },
        { SampleKeys.Admin(), nameof(OpenAIKeyKind.Admin) },
        { SampleKeys.User(), nameof(OpenAIKeyKind.User) },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void FindAll_KeyOfEachKind_ReportsKindPositionAndFingerprint(string key, string kind)
    {
        var text = "Authorization: Bearer " + key + "\n";

        var match = OpenAIKeyShapes.FindAll(text).Should().ContainSingle().Subject;

        match.Kind.Should().Be(Enum.Parse<OpenAIKeyKind>(kind));
        match.Index.Should().Be(text.IndexOf(key, StringComparison.Ordinal));
        match.Length.Should().Be(key.Length);
        match.Fingerprint.Should().Be(new OpenAIKey(key, "test").Fingerprint);
        match.ToString().Should().NotContain(key);
    }

    [Fact]
    public void FindAll_KeysInJson_FindsEachInOrder()
    {
        var first = SampleKeys.Project(1);
        var second = SampleKeys.ServiceAccount();
        var json = "{ \"OpenAI\": { \"ApiKey\": \"" + first + "\" }, \"Other\": \"" + second + "\" }";

        OpenAIKeyShapes.FindAll(json).Select(m => json.Substring(m.Index, m.Length)).Should().Equal(first, second);
    }

    [Fact]
    public void FindAll_UserKey_IsFortyEightCharactersAfterThePrefix()
    {
        SampleKeys.User().Length.Should().Be(3 + 48, "the older user keys are sk- and 48 characters");
        OpenAIKeyShapes.IsKey(SampleKeys.User(), out var kind).Should().BeTrue();
        kind.Should().Be(OpenAIKeyKind.User);
    }

    [Fact]
    public void FindAll_SkWithoutMarkerOrKnownPrefix_IsNotAKey()
    {
        // Another vendor's sk- key (random, long, but no T3BlbkFJ and no OpenAI prefix).
        var other = string.Concat("sk-ant-api03-", "FakeKey4AnalyzerTests0123456789NotRealAtAll");

        OpenAIKeyShapes.FindAll(other).Should().BeEmpty();
    }

    [Fact]
    public void FindAll_KeyGluedToAWord_IsNotAKey()
    {
        // "task-proj-…": the "sk-" does not start a token.
        var glued = "ta" + SampleKeys.Project();

        OpenAIKeyShapes.FindAll(glued).Should().BeEmpty();
    }

    public static TheoryData<string> Placeholders() => new()
    {
        "sk-proj-...",
        "sk-proj-…",
        "sk-proj-your-key-here",
        "sk-proj-" + "your-openai-api-key-goes-here-please-replace-it",
        "sk-proj-" + new string('x', 48),
        "sk-proj-1234567890123456789012345678901234567890123456",
        TestKeys.Project(),
        TestKeys.Project('z'),
        TestKeys.Numbered(12345678),
        "sk-admin-" + new string('D', 48),
        "sk-" + new string('a', 20) + "T3BlbkFJ" + new string('b', 20),
        "sk-proj-" + new string('c', 74) + "T3BlbkFJ" + new string('d', 74),
        "sk-proj-" + "OFFLINE-DEMO-NOT-A-REAL-KEY-" + new string('x', 16) + "0001",
        "sk-proj-FakeKey4Analyzer0123",
        "sk-proj-FakeKey4AnalyzerTests0123456789" + "zzzzzz" + "NotRealAtAll",
    };

    [Theory]
    [MemberData(nameof(Placeholders))]
    public void FindAll_PlaceholderOrGeneratedTestKey_IsNotAKey(string value)
    {
        OpenAIKeyShapes.FindAll("key=" + value).Should().BeEmpty();
        OpenAIKeyShapes.IsKey(value, out _).Should().BeFalse();
    }

    [Fact]
    public void FindAll_TextWithoutKeyStart_ReturnsEmpty()
    {
        OpenAIKeyShapes.MayContainKey("no key here").Should().BeFalse();
        OpenAIKeyShapes.FindAll("no key here").Should().BeEmpty();
        OpenAIKeyShapes.FindAll("ends with sk-").Should().BeEmpty();
    }

    [Fact]
    public void IsKey_KeyWithSurroundingText_IsFalse()
    {
        OpenAIKeyShapes.IsKey(SampleKeys.Project(), out _).Should().BeTrue();
        OpenAIKeyShapes.IsKey(" " + SampleKeys.Project(), out _).Should().BeFalse();
        OpenAIKeyShapes.IsKey(SampleKeys.Project() + "\"", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("sk-short")]
    [InlineData("ollama")]
    [InlineData("sk-proj-abcdefghijklmnop")]
    [InlineData("sk-svcacct-0123456789abcdefghij")]
    [InlineData("sk-admin-0123456789abcdefghij")]
    [InlineData("not-an-openai-key-but-long-enough")]
    public void Fingerprint_AnyValue_MatchesOpenAIKeyFingerprint(string value)
    {
        OpenAIKeyShapes.Fingerprint(value).Should().Be(new OpenAIKey(value, "test").Fingerprint);
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Fingerprint_Key_ShowsPrefixAndLastFourOnly(string key, string kind)
    {
        _ = kind;
        var fingerprint = OpenAIKeyShapes.Fingerprint(key);

        fingerprint.Should().EndWith("…" + key[^4..]);
        fingerprint.Length.Should().BeLessThanOrEqualTo("sk-svcacct-".Length + 5, "a fingerprint is a prefix, an ellipsis and four characters");
    }
}
