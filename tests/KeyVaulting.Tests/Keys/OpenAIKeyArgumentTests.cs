using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Keys;

/// <summary>The constructor's argument checks, the fingerprint's 20-character boundary and the text a key shows.</summary>
public class OpenAIKeyArgumentTests
{
    [Fact]
    public void Constructor_NullValue_ThrowsArgumentNullNamingValue()
    {
        var act = () => new OpenAIKey(null!, "Test:source");

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("value");
    }

    [Fact]
    public void Constructor_NullSource_ThrowsArgumentNullNamingSource()
    {
        var act = () => new OpenAIKey(TestKeys.Project(), null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("source");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_BlankSource_ThrowsArgumentNamingSource(string source)
    {
        var act = () => new OpenAIKey(TestKeys.Project(), source);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.Should().NotBeOfType<ArgumentNullException>();
        error.ParamName.Should().Be("source");
    }

    [Fact]
    public void Constructor_EmptyValue_SaysItIsEmptyAndNamesValue()
    {
        var act = () => new OpenAIKey(string.Empty, "Test:source");

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("value");
        error.Message.Should().Contain("'Test:source' is empty");
    }

    [Theory]
    [InlineData('\u0001')]
    [InlineData('\u007f')]
    [InlineData('\n')]
    [InlineData(' ')]
    public void Constructor_WhiteSpaceOrControlCharacterAtTheEnd_Throws(char bad)
    {
        var act = () => new OpenAIKey(TestKeys.Project() + bad, "Test:source");

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("value");
        error.Message.Should().Contain("white space or control characters");
    }

    [Fact]
    public void Constructor_KeyShapedSourceName_IsMasked()
    {
        var value = TestKeys.Project('K');

        var key = new OpenAIKey(TestKeys.Project(), "Memory:" + value);

        key.Source.Should().NotContain(value);
    }

    [Fact]
    public void Fingerprint_TwentyCharacters_ShowsTheLastFour()
        => new OpenAIKey("sk-" + new string('x', 13) + "WXYZ", "A").Fingerprint.Should().Be("sk-…WXYZ");

    [Fact]
    public void Fingerprint_NineteenCharacters_ShowsNoCharacter()
        => new OpenAIKey("sk-" + new string('x', 12) + "WXYZ", "A").Fingerprint.Should().Be("sk-…");

    [Fact]
    public void ToString_WithoutVersion_ShowsFingerprintAndSourceOnly()
        => new OpenAIKey(TestKeys.Project('Q'), "Test:source").ToString().Should().Be("sk-proj-…QQQQ (Test:source)");

    [Fact]
    public void Metadata_IsKeptAsGiven()
    {
        var retrieved = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var key = new OpenAIKey(TestKeys.Project(), "Test:source", "v7", retrieved, retrieved.AddHours(1));

        key.Version.Should().Be("v7");
        key.RetrievedAt.Should().Be(retrieved);
        key.ExpiresAt.Should().Be(retrieved.AddHours(1));
    }

    [Fact]
    public void Equals_AsObject_ComparesValues()
    {
        var key = new OpenAIKey(TestKeys.Project('A'), "A");

        key.Equals((object)new OpenAIKey(TestKeys.Project('A'), "B")).Should().BeTrue();
        key.Equals((object)new OpenAIKey(TestKeys.Project('B'), "A")).Should().BeFalse();
        key.Equals((object)TestKeys.Project('A')).Should().BeFalse();
        key.Equals(key).Should().BeTrue();
    }

    [Fact]
    public void Equals_SamePrefixDifferentLength_AreNotEqual()
    {
        var a = new OpenAIKey(TestKeys.Project('A'), "A");
        var b = new OpenAIKey(TestKeys.Project('A') + "A", "A");

        (a == b).Should().BeFalse();
        (a != b).Should().BeTrue();
    }

    [Fact]
    public void EqualityOperators_WithNull()
    {
        var key = new OpenAIKey(TestKeys.Project(), "A");
        OpenAIKey? none = null;

        (none == null).Should().BeTrue();
        (none == key).Should().BeFalse();
        (key == none).Should().BeFalse();
        (none != key).Should().BeTrue();
        (none != null).Should().BeFalse();
    }
}
