namespace KeyVaulting;

/// <summary>
/// Creates an <see cref="IOpenAIKeySource"/> from configuration, so that
/// <c>services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"))</c> can select the source by its
/// <c>Type</c>.
/// </summary>
/// <remarks>
/// KeyVaulting's store packages register theirs automatically. To make another store selectable from
/// configuration, register an implementation with <c>builder.AddSourceFactory&lt;TFactory&gt;()</c>.
/// </remarks>
public interface IOpenAIKeySourceFactory
{
    /// <summary>Gets the value of <c>Type</c> that selects this factory, for example <c>AzureKeyVault</c>. Case-insensitive.</summary>
    string TypeName { get; }

    /// <summary>Creates the source described by <see cref="OpenAIKeySourceFactoryContext.Configuration"/>.</summary>
    /// <param name="context">The configuration section of the source and the application's services.</param>
    /// <returns>The source.</returns>
    /// <exception cref="InvalidOperationException">A setting is missing or invalid; the message names the configuration path and the fix.</exception>
    IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context);
}
