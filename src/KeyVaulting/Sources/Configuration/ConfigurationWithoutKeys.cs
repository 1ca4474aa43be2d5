using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// A view of a configuration section without some of its keys (the reserved ones, such as a source's <c>Type</c>), so
/// that the binder's <c>ErrorOnUnknownConfiguration</c> does not count them as unknown. Sections and paths are the
/// underlying configuration's, so the binder's errors name the real path.
/// </summary>
internal sealed class ConfigurationWithoutKeys(IConfiguration configuration, IReadOnlyCollection<string> hiddenKeys) : IConfiguration
{
    public string? this[string key]
    {
        get => IsHidden(key) ? null : configuration[key];
        set => throw new NotSupportedException("The configuration view is read-only.");
    }

    public IEnumerable<IConfigurationSection> GetChildren() => configuration.GetChildren().Where(c => !IsHidden(c.Key));

    public IConfigurationSection GetSection(string key) => configuration.GetSection(key);

    public IChangeToken GetReloadToken() => configuration.GetReloadToken();

    private bool IsHidden(string key) => hiddenKeys.Contains(key, StringComparer.OrdinalIgnoreCase);
}
