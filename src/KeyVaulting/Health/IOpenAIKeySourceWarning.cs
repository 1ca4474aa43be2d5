namespace KeyVaulting.Health;

/// <summary>
/// A source that can say something is wrong with the key it last found although it serves it, such as a placeholder
/// read from a <c>.env</c> file. While the provider serves that key, the health check reports Degraded.
/// </summary>
internal interface IOpenAIKeySourceWarning : IOpenAIKeySource
{
    /// <summary>Gets the warning about the key the source last found, or null. Names the cause and the fix, never a secret.</summary>
    string? Warning { get; }
}
