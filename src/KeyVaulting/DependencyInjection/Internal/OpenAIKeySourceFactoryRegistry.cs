using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>
/// Finds the <see cref="IOpenAIKeySourceFactory"/> for a configuration <c>Type</c>: those registered in DI, then the
/// store packages the application declares with <see cref="OpenAIKeyStoreAttribute"/> (trim-safe), then KeyVaulting's
/// store packages by assembly name (an application whose build did not declare them, untrimmed), so that
/// configuration alone can select an installed store.
/// </summary>
internal sealed class OpenAIKeySourceFactoryRegistry(IEnumerable<IOpenAIKeySourceFactory> registered, IServiceProvider services, Assembly? application)
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceFactoryRegistry"/> class over the entry assembly's declared stores.</summary>
    public OpenAIKeySourceFactoryRegistry(IEnumerable<IOpenAIKeySourceFactory> registered, IServiceProvider services)
        : this(registered, services, Assembly.GetEntryAssembly())
    {
    }

    /// <summary>KeyVaulting's store packages: configuration type, package (assembly) name, factory type.</summary>
    internal static readonly (string TypeName, string Package, string FactoryType)[] KnownPackages =
    [
        ("AzureKeyVault", "KeyVaulting.AzureKeyVault", "KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceFactory"),
        ("AwsSecretsManager", "KeyVaulting.AwsSecretsManager", "KeyVaulting.AwsSecretsManager.AwsSecretsManagerKeySourceFactory"),
        ("HashiCorpVault", "KeyVaulting.HashiCorpVault", "KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceFactory"),
    ];

    private readonly List<IOpenAIKeySourceFactory> _factories = registered.ToList();
    private bool _declaredAdded;

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "The by-name lookup is the fallback for an application whose build did not declare its store packages (OpenAIKeyStoreAttribute); in a trimmed one it finds nothing and the error says to register the store in code.")]
    public IOpenAIKeySourceFactory Get(string typeName, string configurationPath)
    {
        var factory = Find(typeName);
        if (factory is not null)
        {
            return factory;
        }

        if (!_declaredAdded)
        {
            _declaredAdded = true;
            foreach (var declared in InstalledStores.Declared(application))
            {
                if (typeof(IOpenAIKeySourceFactory).IsAssignableFrom(declared.Type) && !_factories.Any(f => f.GetType() == declared.Type))
                {
                    _factories.Add((IOpenAIKeySourceFactory)ActivatorUtilities.CreateInstance(services, declared.Type));
                }
            }

            factory = Find(typeName);
            if (factory is not null)
            {
                return factory;
            }
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
                    $"Configuration '{configurationPath}' selects source type '{typeName}', which is provided by the package {package}. Add it: dotnet add package {package}. " +
                    InstalledStores.TrimmedHint(package, known));
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

    private IOpenAIKeySourceFactory? Find(string typeName)
        => _factories.FirstOrDefault(f => string.Equals(f.TypeName, typeName, StringComparison.OrdinalIgnoreCase));
}
