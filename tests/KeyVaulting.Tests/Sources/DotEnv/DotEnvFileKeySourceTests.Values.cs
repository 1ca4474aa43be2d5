using System.Globalization;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Sources.DotEnv;

/// <summary>
/// Values of the key variable that can never be a real OpenAI key, as people write them (issue 15): read as empty,
/// refused, or served with a warning that marks the health check Degraded. Every message names the file, the line and
/// the likely cause, never the value.
/// </summary>
public sealed partial class DotEnvFileKeySourceTests
{
    private const string CommentedOut = "to a value that starts with '#', which node-dotenv, DotNetEnv and Ruby dotenv read as a comment, so as an empty value. Write the key right after '=' (quote it if it starts with '#')";
    private const string Reference = "is a variable reference or a command ($NAME, ${NAME} or $(...)), which KeyVaulting never expands or runs. Write the key itself, or read that variable with an EnvironmentVariable source earlier in the chain";
    private const string GluedComment = "has a '#' with no blank before it: most likely a comment glued to the key, since an OpenAI key has no '#'. Put a space before the '#', or quote the value if the '#' belongs to it";
    private const string PlaceholderRefused = "looks like a placeholder copied from a .env.example file, not a key. Put the key there";
    private const string PlaceholderServed = "looks like a placeholder copied from a .env.example file, not a key. It is sent as is, since a local OpenAI-compatible server accepts any key, but OpenAI will answer 401: put the real key there";

    [Theory]
    [InlineData("OPENAI_API_KEY=#\n", 1)]
    [InlineData("A=1\nOPENAI_API_KEY=#   # fill in\n", 2)]
    [InlineData("OPENAI_API_KEY=#{0}\n", 1)]
    public async Task FetchAsync_ValueStartsWithHash_NotFoundLikeAnEmptyValue(string template, int line)
    {
        var key = TestKeys.Project('C');
        var path = _temp.WriteFile(".env", Format(template, key));

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"{path} line {line} sets OPENAI_API_KEY {CommentedOut}");
    }

    [Theory]
    [InlineData("OPENAI_API_KEY=${{OPENAI_KEY_PROD}}\n", Reference)]
    [InlineData("OPENAI_API_KEY=\"${{OPENAI_KEY_PROD}}\"\n", Reference)]
    [InlineData("OPENAI_API_KEY=$OPENAI_KEY_PROD\n", Reference)]
    [InlineData("OPENAI_API_KEY={0}${{SUFFIX}}\n", Reference)]
    [InlineData("OPENAI_API_KEY=\"$(pass show openai)\"\n", Reference)]
    [InlineData("OPENAI_API_KEY={0}#personal\n", GluedComment)]
    [InlineData("OPENAI_API_KEY={0}#\n", GluedComment)]
    [InlineData("OPENAI_API_KEY=<your key>\n", PlaceholderRefused)]
    [InlineData("OPENAI_API_KEY=<OPENAI_API_KEY>\n", PlaceholderRefused)]
    [InlineData("OPENAI_API_KEY=\"your api key here\"\n", PlaceholderRefused)]
    public async Task FetchAsync_ValueThatCanNeverBeAKey_FailsNamingFileLineAndCause(string template, string cause)
    {
        var key = TestKeys.Project('R');
        var path = _temp.WriteFile(".env", Format(template, key));

        var fetch = async () => await CreateSource(path).FetchAsync(CancellationToken.None);

        var error = (await fetch.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        error.IsTransient.Should().BeFalse();
        error.SourceName.Should().Be($"DotEnvFile:{path}:OPENAI_API_KEY");
        error.Message.Should().Be($"{path} line 1: the value of OPENAI_API_KEY {cause}.");
        error.ShouldNotContainSecrets(key, "RRRRRRRR");
    }

    [Theory]
    [InlineData("your-api-key-here", "your-api-key-here", PlaceholderServed)]
    [InlineData("YOUR_OPENAI_API_KEY # from the dashboard", "YOUR_OPENAI_API_KEY", PlaceholderServed)]
    [InlineData("sk-...", "sk-...", PlaceholderServed)]
    [InlineData("sk-xxxx", "sk-xxxx", PlaceholderServed)]
    [InlineData("'sk-proj-XXXXXXXXXXXXXXXX'", "sk-proj-XXXXXXXXXXXXXXXX", PlaceholderServed)]
    [InlineData("insert_key_here", "insert_key_here", PlaceholderServed)]
    [InlineData("\"{0}#personal\"", "{0}#personal", "has '#', which no OpenAI key has (an unexpanded variable, a placeholder or a comment?). It is sent as is, since an OpenAI-compatible server may accept it; check the line")]
    [InlineData("{0}$x", "{0}$x", "has '$', which no OpenAI key has (an unexpanded variable, a placeholder or a comment?). It is sent as is, since an OpenAI-compatible server may accept it; check the line")]
    [InlineData("'{{{0}}}'", "{{{0}}}", "has '{{', which no OpenAI key has (an unexpanded variable, a placeholder or a comment?). It is sent as is, since an OpenAI-compatible server may accept it; check the line")]
    public async Task FetchAsync_ValueThatIsProbablyNotAKey_ServedWithAWarningLoggedOnce(string written, string served, string cause)
    {
        var key = TestKeys.Project('W');
        var path = _temp.WriteFile(".env", $"A=1\nOPENAI_API_KEY={Format(written, key)}\n");
        var source = CreateSource(path);

        var first = await source.FetchAsync(CancellationToken.None);
        var second = await source.FetchAsync(CancellationToken.None);

        first.Value.Should().Be(Format(served, key));
        second.Value.Should().Be(Format(served, key));
        var warning = $"{path} line 2: the value of OPENAI_API_KEY {Format(cause, key)}.";
        source.Warning.Should().Be(warning);
        var logged = _logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning).Which;
        logged.Id.Id.Should().Be(23);
        logged.Message.Should().Be($"DotEnvFile:{path}:OPENAI_API_KEY: {warning} The health check reports Degraded while this value is served.");
        _logger.Collector.ShouldNotContainSecrets(key);
    }

    [Theory]
    [InlineData("lm-studio")]
    [InlineData("ollama")]
    [InlineData("sk-no-key-required")]
    [InlineData("EMPTY")]
    [InlineData("token-abc123")]
    public async Task FetchAsync_KeyOfAnOpenAICompatibleServer_ServedWithoutWarning(string value)
    {
        // OpenAI-compatible servers accept any key: a value is not judged for lacking the 'sk-' prefix.
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={value}\n");
        var source = CreateSource(path);

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(value);

        source.Warning.Should().BeNull();
        _logger.Collector.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task FetchAsync_WarningFixedThenBack_ClearedThenLoggedAgain()
    {
        var path = _temp.WriteFile(".env", "OPENAI_API_KEY=sk-xxxx\n");
        var source = CreateSource(path);
        await source.FetchAsync(CancellationToken.None);

        _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Project()}\n");
        await source.FetchAsync(CancellationToken.None);
        var cleared = source.Warning;
        _temp.WriteFile(".env", "OPENAI_API_KEY=sk-xxxx\n");
        await source.FetchAsync(CancellationToken.None);

        cleared.Should().BeNull();
        source.Warning.Should().NotBeNull();
        _logger.Collector.GetSnapshot().Count(r => r.Id.Id == 23).Should().Be(2);
    }

    [Fact]
    public async Task AddDotEnvFile_PlaceholderInTheFile_ServedAndHealthDegradedUntilTheKeyIsPut()
    {
        var key = TestKeys.Project('D');
        var path = _temp.WriteFile(".env", "OPENAI_API_KEY=your-api-key-here\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = BuildProvider(path, time, s => s.AddHealthChecks().AddOpenAIKeyProvider());
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        var health = services.GetRequiredService<HealthCheckService>();

        (await provider.GetKeyAsync()).Value.Should().Be("your-api-key-here");
        var degraded = await health.CheckHealthAsync();
        _temp.WriteFile(".env", $"OPENAI_API_KEY={key}\n");
        time.Advance(TimeSpan.FromSeconds(6));
        (await provider.RefreshAsync()).Value.Should().Be(key);
        var healthy = await health.CheckHealthAsync();

        var warning = $"{path} line 1: the value of OPENAI_API_KEY {PlaceholderServed}.";
        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Entries["openai-key"].Data["warning"].Should().Be(warning);
        degraded.Entries["openai-key"].Description.Should().EndWith($"which warns: {warning}");
        healthy.Status.Should().Be(HealthStatus.Healthy);
        healthy.Entries["openai-key"].Data.Should().NotContainKey("warning");
        services.GetFakeLogCollector().ShouldNotContainSecrets(key);
    }

    [Fact]
    public async Task AddDotEnvFile_UnexpandedVariable_StartupErrorNamesTheFileTheLineAndTheCause()
    {
        var path = _temp.WriteFile(".env", "# production\nOPENAI_API_KEY=${OPENAI_KEY_PROD}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = BuildProvider(path, time);

        var act = async () => await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which.Message
            .Should().Contain($"DotEnvFile:{path}:OPENAI_API_KEY: failed ({path} line 2: the value of OPENAI_API_KEY {Reference}.)");
    }

    private static string Format(string template, string key) => string.Format(CultureInfo.InvariantCulture, template, key);
}
