using System.Diagnostics;
using System.Reflection;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Keys;

public class OpenAIKeyEqualityTests
{
    [Fact]
    public void Equals_SameValueDifferentMetadata_AreEqual()
    {
        var a = new OpenAIKey(TestKeys.Project(), "A", "v1");
        var b = new OpenAIKey(TestKeys.Project(), "B", "v2");

        (a == b).Should().BeTrue();
        a.Equals(b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
    }

    [Fact]
    public void Equals_DifferentValues_AreNotEqual()
    {
        var a = new OpenAIKey(TestKeys.Project('A'), "A");
        var b = new OpenAIKey(TestKeys.Project('B'), "A");

        (a != b).Should().BeTrue();
        a.Equals(null).Should().BeFalse();
    }

    [Theory]
    [InlineData("short-key-1234", "…")]
    [InlineData("sk-short", "sk-…")]
    [InlineData("0123456789abcdef0123456789abcdef", "…cdef")]
    public void Fingerprint_ShortOrUnprefixedValues_RevealAtMostFourCharacters(string value, string expected)
        => new OpenAIKey(value, "A").Fingerprint.Should().Be(expected);

    [Theory]
    [InlineData("")]
    [InlineData("sk-proj-AAAA BBBB")]
    [InlineData("sk-proj-AAAA\tBBBB")]
    public void Constructor_UnusableValue_ThrowsWithoutEchoingIt(string value)
    {
        var act = () => new OpenAIKey(value, "Test:source");

        var error = act.Should().Throw<ArgumentException>().Which;
        error.Message.Should().Contain("Test:source");
        if (value.Length > 0)
        {
            error.ShouldNotContainSecrets(value, "AAAA", "BBBB");
        }
    }

    [Fact]
    public void DebuggerView_HidesValue()
    {
        typeof(OpenAIKey).GetCustomAttribute<DebuggerDisplayAttribute>()!.Value.Should().Be("{ToString(),nq}");
        typeof(OpenAIKey).GetProperty(nameof(OpenAIKey.Value))!.GetCustomAttribute<DebuggerBrowsableAttribute>()!.State
            .Should().Be(DebuggerBrowsableState.Never);
    }

    [Fact]
    public void SourceResult_ToString_NeverShowsValue()
    {
        var value = TestKeys.Project('R');

        OpenAIKeySourceResult.Found(value, "v3").ToString().Should().Be("Found (version v3)");
        OpenAIKeySourceResult.NotFound("not set").ToString().Should().Be("NotFound: not set");
    }
}
