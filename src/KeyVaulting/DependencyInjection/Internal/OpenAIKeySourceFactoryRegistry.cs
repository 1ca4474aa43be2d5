using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>
/// Finds the <see cref="IOpenAIKeySourceFactory"/> for a configuration <c>Type</c>: those registered in DI, then
/// KeyVaulting's store packages when they are installed (found by assembly name, so configuration alone can select
/// them).
/// </summary>
internal sealed class OpenAIKeySourceFactoryRegistry(IEnumerable<IOpenAIKeySourceFactory> registered, IServiceProvider services)
{
    /// <summary>KeyVaulting's store packages: configuration type, package (assembly) name, factory type.</summary>
    internal static readonly (string TypeName, string Package, string FactoryType)[] KnownPackages =
    [
        ("AzureKeyVault", "KeyVaulting.AzureKeyVault", "KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceFactory"),
        ("AwsSecretsManager", "KeyVaulting.AwsSecretsManager", "KeyVaulting.AwsSecretsManager.AwsSecretsManagerKeySourceFactory"),
        ("HashiCorpVault", "KeyVaulting.HashiCorpVault", "KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceFactory"),
    ];

    private readonly List<IOpenAIKeySourceFactory> _factories = registered.ToList();

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Store packages are loaded by name only when configuration asks for them.")]
    public IOpenAIKeySourceFactory Get(string typeName, string configurationPath)
    {
        var factory = _factories.FirstOrDefault(f => string.Equals(f.TypeName, typeName, StringComparison.OrdinalIgnoreCase));
        if (factory is not null)
        {
            return factory;
        }

        foreach (var (known, package, factoryType) in KnownPackages)
        {
            if (!string.Equals(known, typeName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var type = Type.GetType($"{factoryType}, {package}", throwOnError: false);
            if (type is null)
            {
                throw new InvalidOperationException(
                    $"Configuration '{configurationPath}' selects source type '{typeName}', which is provided by the package {package}. Add it: dotnet add package {package}");
            }

            factory = (IOpenAIKeySourceFactory)ActivatorUtilities.CreateInstance(services, type);
            _factories.Add(factory);
            return factory;
        }

        var available = _factories.Select(f => f.TypeName)
            .Concat(KnownPackages.Select(p => $"{p.TypeName} (package {p.Package})"))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        throw new InvalidOperationException(
            $"Configuration '{configurationPath}' selects unknown source type '{typeName}'. Known types: {string.Join(", ", available)}. " +
            "Check the spelling, or register a custom type with builder.AddSourceFactory<TFactory>().");
    }
}
