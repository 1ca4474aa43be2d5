namespace KeyVaulting;

/// <summary>
/// The exception thrown when a provider has no key to serve: no source of its chain had one, or a source failed
/// before any key was ever loaded.
/// </summary>
/// <remarks>
/// The message names every source tried and why it gave no key. It never contains a secret: a part of it that has the
/// shape of a key, a bearer token or a JWT is masked.
/// </remarks>
public sealed class OpenAIKeyUnavailableException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyUnavailableException"/> class.</summary>
    public OpenAIKeyUnavailableException()
        : this("No OpenAI API key is available.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyUnavailableException"/> class.</summary>
    /// <param name="message">The message, naming each source tried and why. Never a secret.</param>
    public OpenAIKeyUnavailableException(string message)
        : base(SecretShapes.MaskMessage(message))
    {
        ProviderName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyUnavailableException"/> class.</summary>
    /// <param name="message">The message, naming each source tried and why. Never a secret.</param>
    /// <param name="innerException">The failure of the source that stopped the chain, if any.</param>
    public OpenAIKeyUnavailableException(string message, Exception? innerException)
        : base(SecretShapes.MaskMessage(message), innerException)
    {
        ProviderName = string.Empty;
    }

    internal OpenAIKeyUnavailableException(string providerName, string message, Exception? innerException)
        : base(SecretShapes.MaskMessage(message), innerException)
    {
        ProviderName = providerName;
    }

    /// <summary>Gets the name of the provider that has no key; empty for the default provider.</summary>
    public string ProviderName { get; }
}
