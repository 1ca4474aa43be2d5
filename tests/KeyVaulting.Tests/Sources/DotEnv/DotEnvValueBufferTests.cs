using System.Text;
using KeyVaulting.Sources.DotEnv;

namespace KeyVaulting.Tests.Sources.DotEnv;

public class DotEnvValueBufferTests
{
    [Fact]
    public void TryAppend_UpToTheCap_AcceptsThenRefuses()
    {
        using var buffer = new DotEnvValueBuffer(maxLength: 100);

        Enumerable.Range(0, 100).Select(_ => buffer.TryAppend('x')).ToList().Should().AllBeEquivalentTo(true);
        buffer.TryAppend('x').Should().BeFalse();
        buffer.Length.Should().Be(100);
    }

    [Fact]
    public void TrimEndBlanks_TrailingSpacesAndTabs_Removed()
    {
        using var buffer = Filled("a b \t ");

        buffer.TrimEndBlanks();

        buffer.DecodeUtf8().Should().Be("a b");
    }

    [Fact]
    public void Clear_ThenAppend_HoldsOnlyTheNewValue()
    {
        using var buffer = Filled("first-value");

        buffer.Clear();
        buffer.TryAppend('2');

        buffer.DecodeUtf8().Should().Be("2");
    }

    [Fact]
    public void DecodeUtf8_MultiByteValue_Decoded()
    {
        using var buffer = Filled("日本 🚀");

        buffer.DecodeUtf8().Should().Be("日本 🚀");
    }

    [Fact]
    public void Dispose_ForgetsTheValue()
    {
        var buffer = Filled("secret");

        buffer.Dispose();

        buffer.Length.Should().Be(0);
        buffer.DecodeUtf8().Should().BeEmpty();
    }

    private static DotEnvValueBuffer Filled(string value)
    {
        var buffer = new DotEnvValueBuffer(1024);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            buffer.TryAppend(b);
        }

        return buffer;
    }
}
