using KeyVaulting.Rotation.Internal;
using KeyVaulting.Rotation.Targets.DotEnv;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// This test assembly plays a store package that declares its rotation target factory, as KeyVaulting's store
// packages do in their OpenAIKeyStore.cs.
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.Rotation.Tests.Internal.DeclaredDotEnvTargetFactory))]

namespace KeyVaulting.Rotation.Tests.Internal;

public sealed class RotationTargetRegistryTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    [Fact]
    public void Create_TargetFactoryDeclaredByTheApplication_FoundWithoutRegistrationOrName()
    {
        var registry = new RotationTargetRegistry([], Services, typeof(RotationTargetRegistryTests).Assembly);

        var target = registry.Create("r", Section(DeclaredDotEnvTargetFactory.Name));

        target.Should().BeOfType<DotEnvFileRotationTarget>();
    }

    [Fact]
    public void Create_ApplicationWithoutDeclarations_DoesNotFindTheDeclaredFactory()
    {
        var registry = new RotationTargetRegistry([], Services, typeof(RotationTargetRegistry).Assembly);

        var act = () => registry.Create("r", Section(DeclaredDotEnvTargetFactory.Name));

        act.Should().Throw<InvalidOperationException>().WithMessage("*Rotation:Target*unknown rotation target type 'DeclaredDotEnv'*");
    }

    [Fact]
    public void Create_StorePackageMissingFromATrimmedApplication_SaysHowToDeclareIt()
    {
        // This test project references no store package, so the by-name lookup finds nothing, as in a trimmed app.
        var registry = new RotationTargetRegistry([], Services, typeof(RotationTargetRegistry).Assembly);

        var act = () => registry.Create("r", Section("AzureKeyVault"));

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*dotnet add package KeyVaulting.AzureKeyVault*trimmed*[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceOptions))]*");
    }

    private static IConfigurationSection Section(string type)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rotation:Target:Type"] = type })
            .Build()
            .GetSection("Rotation:Target");
}

/// <summary>A rotation target factory only the test assembly's <c>OpenAIKeyStore</c> attribute names: a <c>.env</c> target under another type name.</summary>
public sealed class DeclaredDotEnvTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public const string Name = "DeclaredDotEnv";

    public string TypeName => Name;

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context) => new DotEnvFileRotationTargetFactory().Create(context);
}
