using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// Binds <see cref="OpenAIKeyRotationOptions"/> strictly, like the rest of the library (<see cref="ConfigurationBinding"/>):
/// a key that matches no setting is an error that names its path and lists the valid ones, and a value that cannot be
/// converted is an error that names the setting, never the value. <c>Target</c> is the target's own section.
/// </summary>
internal static class RotationConfiguration
{
    public const string TargetKey = "Target";

    private static readonly string[] ReservedKeys = [TargetKey];

    public static void Bind(IConfiguration configuration, OpenAIKeyRotationOptions options)
    {
        ConfigurationBinding.Bind(configuration, options, ReservedKeys, static (c, o, b) => c.Bind(o, b));

        // One scope may be written as a single value ("Scopes": "api.model.read") rather than a list.
        if (configuration[nameof(OpenAIKeyRotationOptions.Scopes)] is { Length: > 0 } single && !string.IsNullOrWhiteSpace(single))
        {
            options.Scopes.Clear();
            options.Scopes.Add(single);
        }
    }
}
