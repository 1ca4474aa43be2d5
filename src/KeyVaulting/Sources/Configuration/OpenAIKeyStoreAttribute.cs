using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting;

/// <summary>
/// Lets configuration alone (<c>Type: AzureKeyVault</c>) select an installed store package, in a trimmed or native
/// AOT application too. On a store package's assembly it names the package's <see cref="IOpenAIKeySourceFactory"/>
/// and <see cref="IOpenAIKeyRotationTargetFactory"/> types; on the application's assembly (the store package's build
/// targets add it) it names a public type of the store package, so that the trimmer keeps the package and KeyVaulting
/// finds its factories without looking a type up by name.
/// </summary>
/// <param name="type">A factory type, or a public type of a store package.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class OpenAIKeyStoreAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type type) : Attribute
{
    /// <summary>Gets the factory type, or the public type of a store package, this attribute names.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
    public Type Type { get; } = type ?? throw new ArgumentNullException(nameof(type));
}
