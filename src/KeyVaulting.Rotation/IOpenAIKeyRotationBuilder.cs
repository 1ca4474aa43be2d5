namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures one automated key rotation: returned by <c>services.AddOpenAIKeyRotation(...)</c>.</summary>
public interface IOpenAIKeyRotationBuilder
{
    /// <summary>Gets the name of the rotation; empty for the default one.</summary>
    string Name { get; }

    /// <summary>Gets the application's service collection.</summary>
    IServiceCollection Services { get; }
}
