using KeyVaulting.DependencyInjection.Internal;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Provider.Internal.Validators;

/// <summary>
/// The one validator registered for <see cref="OpenAIKeyProviderOptions"/>: runs the generated
/// <see cref="OpenAIKeyProviderOptionsValidator"/> and the <see cref="OpenAIKeyProviderOptionsCustomValidator"/>, and
/// when the provider's settings were bound from configuration, names the configuration path of each failing setting
/// (<c>KeyVaulting:RefreshInterval</c>) so that the reader knows which file entry to fix.
/// </summary>
internal sealed class OpenAIKeyProviderOptionsValidation(IEnumerable<OpenAIKeyProviderConfigurationPath> paths) : IValidateOptions<OpenAIKeyProviderOptions>
{
    private static readonly string[] Settings = typeof(OpenAIKeyProviderOptions).GetProperties().Select(p => p.Name).ToArray();
    private readonly OpenAIKeyProviderOptionsValidator _annotations = new();
    private readonly OpenAIKeyProviderOptionsCustomValidator _rules = new();

    public ValidateOptionsResult Validate(string? name, OpenAIKeyProviderOptions options)
    {
        var failures = new List<string>();
        foreach (var result in new[] { _annotations.Validate(name, options), _rules.Validate(name, options) })
        {
            if (result.Failed)
            {
                failures.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        if (failures.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var path = paths.LastOrDefault(p => p.ProviderName == (name ?? string.Empty))?.Path;
        return path is null
            ? ValidateOptionsResult.Fail(failures)
            : ValidateOptionsResult.Fail(failures.Select(f => NamePath(f, path)));
    }

    /// <summary>
    /// Turns <c>RefreshInterval: …</c> (the generated validator) or <c>Property RefreshInterval: …</c> (the custom one)
    /// into <c>Configuration 'KeyVaulting:RefreshInterval': …</c>.
    /// </summary>
    private static string NamePath(string failure, string path)
    {
        var text = failure.StartsWith("Property ", StringComparison.Ordinal) ? failure["Property ".Length..] : failure;
        foreach (var setting in Settings)
        {
            if (text.StartsWith(setting + ": ", StringComparison.Ordinal))
            {
                return $"Configuration '{path}:{setting}': {text[(setting.Length + 2)..]}";
            }
        }

        return $"Configuration '{path}': {failure}";
    }
}
