namespace KeyVaulting.Provider.Internal;

/// <summary>How a key provider's name is shown in logs, metrics, spans and health checks.</summary>
internal static class ProviderNames
{
    /// <summary>The name the default provider (registered without a name) goes by.</summary>
    public const string Default = "default";

    /// <summary>Shows <paramref name="name"/>: <see cref="Default"/> for the default provider, masked should it hold a key.</summary>
    public static string Display(string name) => name.Length == 0 ? Default : SecretShapes.MaskName(name);
}
