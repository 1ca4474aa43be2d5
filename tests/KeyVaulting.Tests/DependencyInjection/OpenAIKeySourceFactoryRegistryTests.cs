using KeyVaulting.DependencyInjection.Internal;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;

// This test assembly plays the application: one attribute names a factory, the other a public type of a store
// "package" (KeyVaulting.Testing) whose own attribute names its factory, as a store package's build targets add it.
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.Tests.DependencyInjection.ApplicationDeclaredFactory))]
[assembly: KeyVaulting.OpenAIKeyStore(typeof(DeclaredStoreOptions))]

namespace KeyVaulting.Tests.DependencyInjection;

public sealed class OpenAIKeySourceFactoryRegistryTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    [Fact]
    public void Get_FactoryNamedByTheApplicationsAttribute_FoundWithoutRegistrationOrName()
    {
        var registry = new OpenAIKeySourceFactoryRegistry([], Services, typeof(OpenAIKeySourceFactoryRegistryTests).Assembly);

        registry.Get("ApplicationDeclared", "KeyVaulting:Sources:A").Should().BeOfType<ApplicationDeclaredFactory>();
    }

    [Fact]
    public void Get_StorePackageNamedByTheApplicationsAttribute_FindsTheFactoryItsAssemblyDeclares()
    {
        var registry = new OpenAIKeySourceFactoryRegistry([], Services, typeof(OpenAIKeySourceFactoryRegistryTests).Assembly);

        registry.Get(DeclaredStoreOptions.TypeName, "KeyVaulting:Sources:D").Should().BeOfType<DeclaredStoreFactory>();
    }

    [Fact]
    public void Get_ApplicationWithoutDeclarations_DoesNotFindTheDeclaredStore()
    {
        var registry = new OpenAIKeySourceFactoryRegistry([], Services, typeof(OpenAIKeySourceFactoryRegistry).Assembly);

        var act = () => registry.Get(DeclaredStoreOptions.TypeName, "KeyVaulting:Sources:D");

        act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting:Sources:D*unknown source type 'DeclaredStore'*");
    }

    [Fact]
    public void Get_StorePackageMissingFromATrimmedApplication_SaysHowToDeclareIt()
    {
        // This test project references no store package, so the by-name lookup finds nothing, as in a trimmed app.
        var registry = new OpenAIKeySourceFactoryRegistry([], Services, typeof(OpenAIKeySourceFactoryRegistry).Assembly);

        var act = () => registry.Get("HashiCorpVault", "KeyVaulting:Sources:V");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*dotnet add package KeyVaulting.HashiCorpVault*trimmed*[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceOptions))]*");
    }
}

/// <summary>A factory the application itself declares with <c>[assembly: OpenAIKeyStore(typeof(…))]</c>.</summary>
public sealed class ApplicationDeclaredFactory : IOpenAIKeySourceFactory
{
    public string TypeName => "ApplicationDeclared";

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context) => new MutableKeySource("ApplicationDeclared:" + context.Configuration.Key);
}
