using KeyVaulting.Rotation.Internal;
using KeyVaulting.Rotation.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Rotation.Tests.DependencyInjection;

public sealed class OpenAIKeyRotationServiceCollectionExtensionsTests
{
    [Fact]
    public void AddOpenAIKeyRotation_NoSettings_DefaultsToThirtyDaysTenMinutesAndAutomatic()
    {
        using var services = new ServiceCollection().AddOpenAIKeyRotation(o => o.ProjectId = "proj_x").Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationOptions>>().Get(Options.DefaultName);

        options.Interval.Should().Be(TimeSpan.FromDays(30));
        options.GracePeriod.Should().Be(TimeSpan.FromMinutes(10));
        options.Strategy.Should().Be(OpenAIKeyRotationStrategy.Automatic);
        options.AdminKeyProviderName.Should().Be("openai-admin");
        options.RunInBackground.Should().BeTrue();
    }

    [Fact]
    public void AddOpenAIKeyRotation_FromConfiguration_BindsEverySettingAndTheTarget()
    {
        var directory = Directory.CreateTempSubdirectory("kv-config-").FullName;
        try
        {
            var configuration = Configuration(new()
            {
                ["Rotation:ProjectId"] = "proj_abc",
                ["Rotation:ServiceAccountId"] = "svc_acct_abc",
                ["Rotation:Interval"] = "7.00:00:00",
                ["Rotation:GracePeriod"] = "00:20:00",
                ["Rotation:Strategy"] = "ServiceAccounts",
                ["Rotation:Scopes:0"] = "api.model.read",
                ["Rotation:RunInBackground"] = "false",
                ["Rotation:Target:Type"] = "DotEnvFile",
                ["Rotation:Target:Path"] = Path.Combine(directory, ".env"),
            });
            using var services = WithAdminProvider().AddOpenAIKeyRotation(configuration.GetSection("Rotation")).Services.BuildServiceProvider();

            var options = services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationOptions>>().Get(Options.DefaultName);
            var rotator = (OpenAIKeyRotator)services.GetRequiredService<IOpenAIKeyRotator>();

            options.ProjectId.Should().Be("proj_abc");
            options.Interval.Should().Be(TimeSpan.FromDays(7));
            options.GracePeriod.Should().Be(TimeSpan.FromMinutes(20));
            options.Strategy.Should().Be(OpenAIKeyRotationStrategy.ServiceAccounts);
            options.Scopes.Should().Equal("api.model.read");
            options.RunInBackground.Should().BeFalse();
            rotator.Target.Name.Should().Be($"DotEnvFile:{Path.Combine(directory, ".env")}:OPENAI_API_KEY");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AddOpenAIKeyRotation_Named_ResolvedAsKeyedRotatorWithItsOwnOptionsAndHealthCheck()
    {
        using var services = WithAdminProvider()
            .AddOpenAIKeyRotation(o => o.ProjectId = "proj_default").UseDotEnvFile(".env").Services
            .AddOpenAIKeyRotation("analytics", o => o.ProjectId = "proj_analytics").UseDotEnvFile("analytics.env").Services
            .AddHealthChecks().AddOpenAIKeyRotation("analytics").Services
            .BuildServiceProvider();

        var analytics = (OpenAIKeyRotator)services.GetRequiredKeyedService<IOpenAIKeyRotator>("analytics");
        var main = (OpenAIKeyRotator)services.GetRequiredService<IOpenAIKeyRotator>();

        analytics.Name.Should().Be("analytics");
        analytics.Options.ProjectId.Should().Be("proj_analytics");
        analytics.Target.Name.Should().Contain("analytics.env");
        main.Options.ProjectId.Should().Be("proj_default");
        services.GetRequiredService<IOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>>().Value.Registrations
            .Should().ContainSingle(r => r.Name == "openai-key-rotation:analytics");
    }

    [Fact]
    public void AddOpenAIKeyRotation_ConfigurationKeyMisspelt_FailsNamingItAndTheValidOnes()
    {
        var configuration = Configuration(new() { ["Rotation:ProjectId"] = "proj_abc", ["Rotation:Intervall"] = "7.00:00:00" });
        using var services = new ServiceCollection().AddOpenAIKeyRotation(configuration.GetSection("Rotation")).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationOptions>>().Get(Options.DefaultName);

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'Intervall'").And.Contain("Interval").And.Contain("Rotation");
    }

    [Fact]
    public void AddOpenAIKeyRotation_ConfigurationValueUnconvertible_FailsNamingTheSettingNotTheValue()
    {
        var secret = TestKeys.Numbered(5);
        var configuration = Configuration(new() { ["Rotation:ProjectId"] = "proj_abc", ["Rotation:GracePeriod"] = secret });
        using var services = new ServiceCollection().AddOpenAIKeyRotation(configuration.GetSection("Rotation")).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationOptions>>().Get(Options.DefaultName);

        var failure = act.Should().Throw<InvalidOperationException>().Which;
        failure.Message.Should().Contain("Rotation:GracePeriod");
        failure.ShouldNotContainSecrets(secret);
    }

    [Fact]
    public void AddOpenAIKeyRotation_EnvironmentVariableTarget_RefusedSayingWhyAndWhatToUse()
    {
        var configuration = Configuration(new() { ["Rotation:ProjectId"] = "proj_abc", ["Rotation:ServiceAccountId"] = "svc_acct_abc", ["Rotation:Target:Type"] = "EnvironmentVariable" });
        using var services = WithAdminProvider().AddOpenAIKeyRotation(configuration.GetSection("Rotation")).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOpenAIKeyRotator>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should()
            .Contain("Rotation:Target").And.Contain("cannot be a rotation target").And.Contain("DotEnvFile");
    }

    [Fact]
    public void AddOpenAIKeyRotation_StoreTargetOfPhaseTwo_NamesThePackageToAdd()
    {
        var configuration = Configuration(new() { ["Rotation:ProjectId"] = "proj_abc", ["Rotation:ServiceAccountId"] = "svc_acct_abc", ["Rotation:Target:Type"] = "HashiCorpVault" });
        using var services = WithAdminProvider().AddOpenAIKeyRotation(configuration.GetSection("Rotation")).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOpenAIKeyRotator>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("KeyVaulting.HashiCorpVault");
    }

    [Fact]
    public void AddOpenAIKeyRotation_NoTarget_FailsNamingUseDotEnvFileAndTarget()
    {
        using var services = WithAdminProvider().AddOpenAIKeyRotation(o => o.ProjectId = "proj_x").Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOpenAIKeyRotator>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("UseDotEnvFile").And.Contain("Target");
    }

    [Fact]
    public void AddOpenAIKeyRotation_AdminProviderNotRegistered_FailsNamingTheRegistration()
    {
        using var services = new ServiceCollection().AddOpenAIKeyRotation(o => o.ProjectId = "proj_x").UseDotEnvFile().Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOpenAIKeyRotator>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("AddOpenAIKeyProvider(\"openai-admin\")");
    }

    [Fact]
    public async Task AddOpenAIKeyRotation_InvalidSettings_FailStartupNamingEach()
    {
        var leaked = TestKeys.Numbered(6);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromHours(1)).AddSource(new MutableKeySource());
        builder.Services.AddOpenAIKeyRotation(o =>
        {
            o.ProjectId = leaked;
            o.Strategy = OpenAIKeyRotationStrategy.ServiceAccountKeys;
            o.Interval = TimeSpan.FromDays(400);
            o.AdminEndpoint = new Uri("http://admin.example.com/v1/");
        }).UseDotEnvFile();
        using var host = builder.Build();

        var act = () => host.StartAsync().WaitAsync(BoundedRotator.Bound);

        var failure = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.Message.Should().Contain("ProjectId").And.Contain("ServiceAccountId").And.Contain("Interval")
            .And.Contain("GracePeriod").And.Contain("AdminEndpoint");
        failure.ShouldNotContainSecrets(leaked);
    }

    [Fact]
    public async Task HostedService_RunInBackground_RotatesWhenDueAndRevokesAfterTheGracePeriod()
    {
        await using var world = await RotationWorld.StartAsync();
        await using var services = world.CreateServices(o => o.RunInBackground = true);
        var hosted = services.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None).WaitAsync(BoundedRotator.Bound);
        }

        try
        {
            world.Time.Advance(TimeSpan.FromDays(30));
            await Eventually.TrueAsync(() => world.Admin.MintCount == 1 && world.Memory!.Promotions == 1, "the hosted service rotates when the key is due");
            world.InitialKey.IsRevoked.Should().BeFalse();

            await Eventually.TrueAsync(
                () =>
                {
                    world.Time.Advance(TimeSpan.FromMinutes(1));
                    return world.InitialKey.IsRevoked && world.Memory!.Snapshot().Previous is null;
                },
                "the hosted service revokes the old key once the grace period is over");
            world.InitialKey.RevokedAt.Should().BeOnOrAfter(world.Admin.Keys.Single(k => k.Minted).CreatedAt + TimeSpan.FromMinutes(10));
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None).WaitAsync(BoundedRotator.Bound);
            }
        }

        await world.ShouldHaveConvergedAsync();
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceCollection WithAdminProvider()
    {
        var services = new ServiceCollection();
        var source = new MutableKeySource("Memory:admin");
        source.SetValue("sk-admin-" + new string('Z', 40));
        services.AddOpenAIKeyProvider("openai-admin").AddSource(source);
        return services;
    }
}
