using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>What the provider does with raw values from a store, seen through the provider as users see it.</summary>
public class OpenAIKeyNormalizationTests
{
    private static readonly string Key = TestKeys.Project('N');

    [Theory]
    [InlineData("{0}\n")]
    [InlineData("{0}\r\n")]
    [InlineData("  {0}\t ")]
    public async Task GetKeyAsync_TrailingWhiteSpaceOrLineBreak_IsTrimmedSilently(string shape)
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, Key));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(Key);
        h.Logs.GetSnapshot().Should().NotContain(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Theory]
    [InlineData("\"{0}\"", 6)]
    [InlineData("'{0}'", 6)]
    [InlineData("Bearer {0}", 7)]
    [InlineData("\"Bearer {0}\"\n", 6)]
    public async Task GetKeyAsync_QuotesOrBearerPrefix_AreStrippedWithWarning(string shape, int eventId)
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, Key));

        (await h.Provider.GetKeyAsync()).Value.Should().Be(Key);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == eventId && r.Message.Contains("Memory:source1"));
        h.Logs.ShouldNotContainSecrets(Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("Bearer ")]
    public async Task GetKeyAsync_EmptyValue_FailsNamingSource(string raw)
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(raw);

        var act = async () => await h.Provider.GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).WithMessage("*Memory:source1*is empty*");
    }

    [Theory]
    [InlineData("sk-proj-AAAA BBBB", "white space")]
    [InlineData("sk-proj-AAAA\u0001BBBB", "control character")]
    [InlineData("sk-proj-AAAA\u00e9BBBB", "non-ASCII")]
    [InlineData("sk-proj-AAAA\nBBBB", "white space")]
    public async Task GetKeyAsync_InnerWhiteSpaceOrControlCharacters_RejectedWithoutEchoingValue(string raw, string problem)
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(raw);

        var act = async () => await h.Provider.GetKeyAsync();

        var error = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        error.Message.Should().Contain("Memory:source1").And.Contain(problem).And.Contain("Put the bare key in the store");
        error.ShouldNotContainSecrets("AAAA", "BBBB");
        h.Logs.ShouldNotContainSecrets("AAAA", "BBBB");
    }

    [Theory]
    [InlineData(' ')]
    [InlineData('\u0001')]
    [InlineData('\u00e9')]
    public async Task GetKeyAsync_RejectedValue_ErrorSaysWhatIsWrongWithoutMeasuringTheKey(char bad)
    {
        await using var h = new ProviderHarness();
        var raw = TestKeys.Project('M').Insert(21, bad.ToString());
        h.Source.SetValue(raw);

        var act = async () => await h.Provider.GetKeyAsync();

        var error = (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        error.Message.Should().NotContain("position").And.NotContain("22").And.NotContain(raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        h.Provider.GetStatus().LastError.Should().NotContain("22").And.NotContain(raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetKeyAsync_AdminKey_IsServedWithWarning()
    {
        await using var h = new ProviderHarness();
        var admin = "sk-admin-" + new string('D', 48);
        h.Source.SetValue(admin);

        (await h.Provider.GetKeyAsync()).Value.Should().Be(admin);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 8 && r.Message.Contains("not for model requests"));
        h.Logs.ShouldNotContainSecrets(admin);
    }

    [Fact]
    public async Task GetKeyAsync_UnknownShape_IsServedWithWarning()
    {
        await using var h = new ProviderHarness();
        var azureStyle = new string('f', 32);
        h.Source.SetValue(azureStyle);

        (await h.Provider.GetKeyAsync()).Value.Should().Be(azureStyle);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 9);
        h.Logs.ShouldNotContainSecrets(azureStyle);
    }

    [Fact]
    public async Task GetKeyAsync_KeyFormatsFromSecretScanners_AreAcceptedWithoutShapeWarning()
    {
        // The shapes gitleaks documents (generated here, not copied): legacy, project, service account.
        string[] keys =
        [
            "sk-" + new string('a', 20) + "T3BlbkFJ" + new string('b', 20),
            "sk-proj-" + new string('c', 74) + "T3BlbkFJ" + new string('d', 74),
            "sk-svcacct-" + new string('e', 58) + "T3BlbkFJ" + new string('f', 58),
        ];

        foreach (var raw in keys)
        {
            await using var h = new ProviderHarness();
            h.Source.SetValue(raw);
            (await h.Provider.GetKeyAsync()).Value.Should().Be(raw);
            h.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 9 || r.Id.Id == 8);
        }
    }
}
