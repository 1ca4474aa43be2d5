using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Sources.EnvironmentVariable;

public class EnvironmentVariableKeySourceTests
{
    [Fact]
    public async Task AddEnvironmentVariable_VariableChanges_NewValueServedAfterRefresh()
    {
        var variable = "KV_TEST_" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddOpenAIKeyProvider(o => o.MinimumRefreshInterval = TimeSpan.Zero).AddEnvironmentVariable(variable);
        await using var sp = services.BuildServiceProvider();
        var provider = sp.GetRequiredService<IOpenAIKeyProvider>();
        try
        {
            Environment.SetEnvironmentVariable(variable, TestKeys.Project('A'));
            (await provider.GetKeyAsync()).Value.Should().Be(TestKeys.Project('A'));

            Environment.SetEnvironmentVariable(variable, TestKeys.Project('B'));
            var refreshed = await provider.RefreshAsync();

            refreshed.Value.Should().Be(TestKeys.Project('B'));
            refreshed.Source.Should().Be($"EnvironmentVariable:{variable}");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("   ", "is set but empty")]
    public async Task AddEnvironmentVariable_UnsetOrEmpty_FallsThroughWithReason(string? value, string reason)
    {
        var variable = "KV_TEST_" + Guid.NewGuid().ToString("N");
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(TestKeys.Project('F'));
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddEnvironmentVariable(variable).AddSource(fallback);
        await using var sp = services.BuildServiceProvider();
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var key = await sp.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

            key.Source.Should().Be("Memory:fallback");
            var alone = new ServiceCollection();
            alone.AddOpenAIKeyProvider().AddEnvironmentVariable(variable);
            await using var sp2 = alone.BuildServiceProvider();
            var act = async () => await sp2.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();
            (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).WithMessage($"*{variable} {reason}*");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
