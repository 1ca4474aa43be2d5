using KeyVaulting.Provider.Internal;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>The normalizer on its own: what nested quotes and prefixes report, the ASCII boundary, the failed value.</summary>
public class OpenAIKeyNormalizerTests
{
    private static readonly string Key = TestKeys.Project();

    [Fact]
    public void TryNormalize_QuotesInsideQuotes_StripsBothAndReportsQuotes()
    {
        OpenAIKeyNormalizer.TryNormalize($"\"'{Key}'\"", out var value, out var notes, out _).Should().BeTrue();

        value.Should().Be(Key);
        notes.Should().HaveFlag(KeyNormalizationNotes.QuotesStripped);
    }

    [Fact]
    public void TryNormalize_BearerPrefixTwiceAroundQuotes_StripsBothAndReportsThePrefix()
    {
        OpenAIKeyNormalizer.TryNormalize($"Bearer \"Bearer {Key}\"", out var value, out var notes, out _).Should().BeTrue();

        value.Should().Be(Key);
        notes.Should().HaveFlag(KeyNormalizationNotes.BearerPrefixStripped).And.HaveFlag(KeyNormalizationNotes.QuotesStripped);
    }

    [Fact]
    public void TryNormalize_BearerPrefixThreeTimes_StripsTwoAndRefusesTheRest()
    {
        // Two layers of wrapping are unwrapped; a third is not guessed at: what is left is not one token.
        OpenAIKeyNormalizer.TryNormalize($"Bearer Bearer Bearer {Key}", out var value, out _, out var error).Should().BeFalse();

        value.Should().BeEmpty();
        error.Should().Be("contains white space or a line break inside it; a key is one unbroken token");
        error.Should().NotContain(Key);
    }

    [Fact]
    public void TryNormalize_TildeIsTheLastAsciiCharacter_Accepted()
    {
        OpenAIKeyNormalizer.TryNormalize(Key + "~", out var value, out _, out var error).Should().BeTrue();

        value.Should().Be(Key + "~");
        error.Should().BeNull();
    }

    [Fact]
    public void TryNormalize_Refused_LeavesTheValueEmpty()
    {
        OpenAIKeyNormalizer.TryNormalize(Key + "\u00e9", out var value, out _, out var error).Should().BeFalse();

        value.Should().BeEmpty();
        error.Should().Contain("non-ASCII");
    }

    [Fact]
    public void TryNormalize_BareKey_ReturnsTheSameStringWithoutNotes()
    {
        OpenAIKeyNormalizer.TryNormalize(Key, out var value, out var notes, out _).Should().BeTrue();

        value.Should().BeSameAs(Key);
        notes.Should().Be(KeyNormalizationNotes.None);
    }
}
