using Microsoft.Extensions.Options;

namespace KeyVaulting.Provider.Internal.Validators;

/// <summary>Validates the rules of <see cref="OpenAIKeyProviderOptions"/> that span several settings.</summary>
internal sealed class OpenAIKeyProviderOptionsCustomValidator : IValidateOptions<OpenAIKeyProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAIKeyProviderOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        var provider = string.IsNullOrEmpty(name) ? "the default OpenAI key provider" : $"OpenAI key provider '{name}'";

        if (options.MinimumRefreshInterval > options.RefreshInterval)
        {
            builder.AddError(
                $"MinimumRefreshInterval ({options.MinimumRefreshInterval}) of {provider} must not exceed RefreshInterval ({options.RefreshInterval}); lower it or raise RefreshInterval.",
                nameof(OpenAIKeyProviderOptions.MinimumRefreshInterval));
        }

        if (options.MaxStaleness < options.RefreshInterval)
        {
            builder.AddError(
                $"MaxStaleness ({options.MaxStaleness}) of {provider} must be at least RefreshInterval ({options.RefreshInterval}), or the health check would report Unhealthy between two refreshes.",
                nameof(OpenAIKeyProviderOptions.MaxStaleness));
        }

        if (options.InitialRetryDelay > options.RefreshInterval)
        {
            builder.AddError(
                $"InitialRetryDelay ({options.InitialRetryDelay}) of {provider} must not exceed RefreshInterval ({options.RefreshInterval}).",
                nameof(OpenAIKeyProviderOptions.InitialRetryDelay));
        }

        return builder.Build();
    }
}
