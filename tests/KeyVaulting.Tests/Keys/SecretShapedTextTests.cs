using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Keys;

/// <summary>
/// The public types that carry a source name or a message mask whatever has the shape of a key in them, so that a
/// key given where a name is expected never reaches a log, a health entry or an exception through them.
/// </summary>
public class SecretShapedTextTests
{
    private static readonly string Key = TestKeys.Project('S');

    [Fact]
    public void OpenAIKey_SourceNameHoldsAKey_SourceAndToStringShowItMasked()
    {
        var key = new OpenAIKey(TestKeys.Project('V'), "Custom:" + Key);

        key.Source.Should().Be("Custom:sk-…[redacted]");
        key.ToString().Should().NotContain(Key[8..20]);
    }

    [Fact]
    public void OpenAIKeySourceException_NameAndMessageHoldAKey_BothMasked()
    {
        var error = new OpenAIKeySourceException("Custom:" + Key, $"Custom:{Key} is not reachable.", isTransient: true);

        error.SourceName.Should().Be("Custom:sk-…[redacted]");
        error.Message.Should().Be("Custom:sk-…[redacted] is not reachable.");
    }

    [Fact]
    public void OpenAIKeyUnavailableException_MessageHoldsAKey_Masked()
    {
        new OpenAIKeyUnavailableException($"nothing in {Key}").Message.Should().Be("nothing in sk-…[redacted]");
    }

    [Theory]
    [InlineData("AzureKeyVault:disk-encryption-settings-for-openai")]
    [InlineData("HashiCorpVault:secret/data/task-definitions/openai-production")]
    [InlineData("EnvironmentVariable:OPENAI_API_KEY")]
    public void OpenAIKey_OrdinaryNamesContainingSk_AreKeptAsTheyAre(string name)
    {
        new OpenAIKey(TestKeys.Project(), name).Source.Should().Be(name);
    }
}
