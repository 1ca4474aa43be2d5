using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using KeyVaulting.Rotation.Targets;
using KeyVaulting.Rotation.Targets.DotEnv;
using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// Creates a rotation's target from its <c>Target</c> configuration section: the factories registered in DI, the
/// built-in <c>DotEnvFile</c> (and the refusal of <c>EnvironmentVariable</c>), then the store packages the application
/// declares with <see cref="OpenAIKeyStoreAttribute"/> (trim-safe), then KeyVaulting's store packages by assembly name
/// (an application whose build did not declare them, untrimmed), as for sources.
/// </summary>
internal sealed class RotationTargetRegistry(IEnumerable<IOpenAIKeyRotationTargetFactory> registered, IServiceProvider services, Assembly? application)
{
    /// <summary>Initializes a new instance of the <see cref="RotationTargetRegistry"/> class over the entry assembly's declared stores.</summary>
    public RotationTargetRegistry(IEnumerable<IOpenAIKeyRotationTargetFactory> registered, IServiceProvider services)
        : this(registered, services, Assembly.GetEntryAssembly())
    {
    }

    /// <summary>KeyVaulting's store packages: configuration type, package (assembly) name, target factory type.</summary>
    internal static readonly (string TypeName, string Package, string FactoryType)[] KnownPackages =
    [
        ("AzureKeyVault", "KeyVaulting.AzureKeyVault", "KeyVaulting.AzureKeyVault.AzureKeyVaultRotationTargetFactory"),
        ("AwsSecretsManager", "KeyVaulting.AwsSecretsManager", "KeyVaulting.AwsSecretsManager.AwsSecretsManagerRotationTargetFactory"),
        ("HashiCorpVault", "KeyVaulting.HashiCorpVault", "KeyVaulting.HashiCorpVault.HashiCorpVaultRotationTargetFactory"),
    ];

    private readonly List<IOpenAIKeyRotationTargetFactory> _factories =
        [.. registered, new DotEnvFileRotationTargetFactory(), new EnvironmentVariableRotationTargetFactory()];

    private bool _declaredAdded;

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "The by-name lookup is the fallback for an application whose build did not declare its store packages (OpenAIKeyStoreAttribute); in a trimmed one it finds nothing and the error says what to add.")]
    public IOpenAIKeyRotationTarget Create(string rotationName, IConfigurationSection section)
    {
        var typeName = section["Type"];
        if (string.IsNullOrWhiteSpace(typeName))
        {
            throw new InvalidOperationException($"Configuration '{section.Path}:Type' is required: the store the rotated keys go to, for example \"DotEnvFile\".");
        }

        var factory = Find(typeName);
        if (factory is null && !_declaredAdded)
        {
            _declaredAdded = true;
            foreach (var declared in InstalledStores.Declared(application))
            {
                if (typeof(IOpenAIKeyRotationTargetFactory).IsAssignableFrom(declared.Type) && !_factories.Any(f => f.GetType() == declared.Type))
                {
                    _factories.Add((IOpenAIKeyRotationTargetFactory)ActivatorUtilities.CreateInstance(services, declared.Type));
                }
            }

            factory = Find(typeName);
        }

        if (factory is null)
        {
            foreach (var (known, package, factoryType) in KnownPackages)
            {
                if (!string.Equals(known, typeName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var type = Type.GetType($"{factoryType}, {package}", throwOnError: false)
                    ?? throw new InvalidOperationException(
                        $"Configuration '{section.Path}' selects rotation target type '{typeName}', which needs a version of the package {package} that can write to the store (dotnet add package {package}). Until then, rotate into a .env file (Type DotEnvFile) or register your own target with UseTarget. " +
                        InstalledStores.TrimmedHint(package, known));
                factory = (IOpenAIKeyRotationTargetFactory)ActivatorUtilities.CreateInstance(services, type);
                _factories.Add(factory);
                break;
            }
        }

        if (factory is null)
        {
            var available = _factories.Select(f => f.TypeName).Concat(KnownPackages.Select(p => $"{p.TypeName} (package {p.Package})")).Distinct(StringComparer.OrdinalIgnoreCase);
            throw new InvalidOperationException(
                $"Configuration '{section.Path}' selects unknown rotation target type '{typeName}'. Known types: {string.Join(", ", available)}. Check the spelling, or register a custom type with builder.AddTargetFactory<TFactory>().");
        }

        return factory.Create(new OpenAIKeySourceFactoryContext(rotationName, section, services));
    }

    private IOpenAIKeyRotationTargetFactory? Find(string typeName)
        => _factories.FirstOrDefault(f => string.Equals(f.TypeName, typeName, StringComparison.OrdinalIgnoreCase));
}
