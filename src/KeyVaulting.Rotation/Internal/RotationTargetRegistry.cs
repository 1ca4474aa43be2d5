using System.Diagnostics.CodeAnalysis;
using KeyVaulting.Rotation.Targets;
using KeyVaulting.Rotation.Targets.DotEnv;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// Creates a rotation's target from its <c>Target</c> configuration section: the factories registered in DI, the
/// built-in <c>DotEnvFile</c> (and the refusal of <c>EnvironmentVariable</c>), then KeyVaulting's store packages when
/// they are installed (found by assembly name, as for sources).
/// </summary>
internal sealed class RotationTargetRegistry(IEnumerable<IOpenAIKeyRotationTargetFactory> registered, IServiceProvider services)
{
    /// <summary>KeyVaulting's store packages: configuration type, package (assembly) name, target factory type.</summary>
    internal static readonly (string TypeName, string Package, string FactoryType)[] KnownPackages =
    [
        ("AzureKeyVault", "KeyVaulting.AzureKeyVault", "KeyVaulting.AzureKeyVault.AzureKeyVaultRotationTargetFactory"),
        ("AwsSecretsManager", "KeyVaulting.AwsSecretsManager", "KeyVaulting.AwsSecretsManager.AwsSecretsManagerRotationTargetFactory"),
        ("HashiCorpVault", "KeyVaulting.HashiCorpVault", "KeyVaulting.HashiCorpVault.HashiCorpVaultRotationTargetFactory"),
    ];

    private readonly List<IOpenAIKeyRotationTargetFactory> _factories =
        [.. registered, new DotEnvFileRotationTargetFactory(), new EnvironmentVariableRotationTargetFactory()];

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Store packages are loaded by name only when configuration asks for them.")]
    public IOpenAIKeyRotationTarget Create(string rotationName, IConfigurationSection section)
    {
        var typeName = section["Type"];
        if (string.IsNullOrWhiteSpace(typeName))
        {
            throw new InvalidOperationException($"Configuration '{section.Path}:Type' is required: the store the rotated keys go to, for example \"DotEnvFile\".");
        }

        var factory = _factories.FirstOrDefault(f => string.Equals(f.TypeName, typeName, StringComparison.OrdinalIgnoreCase));
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
                        $"Configuration '{section.Path}' selects rotation target type '{typeName}', which needs a version of the package {package} that can write to the store (dotnet add package {package}). Until then, rotate into a .env file (Type DotEnvFile) or register your own target with UseTarget.");
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
}
