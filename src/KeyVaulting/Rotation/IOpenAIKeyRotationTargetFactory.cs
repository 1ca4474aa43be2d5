namespace KeyVaulting;

/// <summary>
/// Creates an <see cref="IOpenAIKeyRotationTarget"/> from configuration, so that the rotation's <c>Target</c> section
/// can select the store by its <c>Type</c>, as a provider's <c>Sources</c> do.
/// </summary>
/// <remarks>
/// The target is the write side of the store a source reads, so it is described by the same settings: the factory
/// gets the same <see cref="OpenAIKeySourceFactoryContext"/> a source factory gets, with
/// <see cref="OpenAIKeySourceFactoryContext.ProviderName"/> set to the rotation's name.
/// </remarks>
public interface IOpenAIKeyRotationTargetFactory
{
    /// <summary>Gets the value of <c>Type</c> that selects this factory, for example <c>DotEnvFile</c>. Case-insensitive.</summary>
    string TypeName { get; }

    /// <summary>Creates the target described by <see cref="OpenAIKeySourceFactoryContext.Configuration"/>.</summary>
    /// <param name="context">The configuration section of the target and the application's services.</param>
    /// <returns>The target.</returns>
    /// <exception cref="InvalidOperationException">A setting is missing or invalid; the message names the configuration path and the fix.</exception>
    IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context);
}
