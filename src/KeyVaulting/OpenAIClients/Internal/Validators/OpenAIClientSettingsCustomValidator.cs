using Microsoft.Extensions.Options;

namespace KeyVaulting.OpenAIClients.Internal.Validators;

/// <summary>
/// Validates the rules of <see cref="OpenAIClientSettings"/> that DataAnnotations cannot express: the endpoint's
/// shape (absolute http or https, no user information, no plain http to another machine), header-safe ids that do not
/// look like a secret, and settings that only make sense together.
/// </summary>
internal sealed class OpenAIClientSettingsCustomValidator : IValidateOptions<OpenAIClientSettings>
{
    public ValidateOptionsResult Validate(string? name, OpenAIClientSettings options)
    {
        var builder = new ValidateOptionsResultBuilder();
        var client = string.IsNullOrEmpty(name) ? "the default OpenAI client" : $"the OpenAI client '{name}'";

        if (options.Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                builder.AddError(
                    $"Endpoint of {client} must be an absolute http or https address such as https://api.openai.com/v1 or https://my-resource.openai.azure.com/openai/v1/.",
                    nameof(OpenAIClientSettings.Endpoint));
            }
            else if (endpoint.UserInfo.Length > 0)
            {
                // The value is not repeated: user information is a credential.
                builder.AddError(
                    $"Endpoint of {client} contains user information (user:password@). Remove it: the API key is the only credential the client sends.",
                    nameof(OpenAIClientSettings.Endpoint));
            }
            else if (OpenAIOrigin.IsPlainHttpToAnotherMachine(endpoint))
            {
                builder.AddError(
                    $"Endpoint of {client} uses plain http to another machine ({OpenAIOrigin.Describe(endpoint)}): the API key would travel unencrypted, " +
                    "readable by anyone on the network path. Use https (plain http is accepted only to this machine: localhost, 127.0.0.1, [::1]).",
                    nameof(OpenAIClientSettings.Endpoint));
            }
        }

        CheckHeaderValue(builder, client, nameof(OpenAIClientSettings.OrganizationId), options.OrganizationId, "org-…");
        CheckHeaderValue(builder, client, nameof(OpenAIClientSettings.ProjectId), options.ProjectId, "proj_…");
        CheckHeaderValue(builder, client, nameof(OpenAIClientSettings.UserAgentApplicationId), options.UserAgentApplicationId, "my-app");

        if (options.StrictStartupValidation && !options.ValidateKeyOnStartup)
        {
            builder.AddError(
                $"StrictStartupValidation of {client} has no effect unless ValidateKeyOnStartup is true. Set ValidateKeyOnStartup to true, or remove StrictStartupValidation.",
                nameof(OpenAIClientSettings.StrictStartupValidation));
        }

        return builder.Build();
    }

    private static void CheckHeaderValue(ValidateOptionsResultBuilder builder, string client, string setting, string? value, string example)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            builder.AddError(
                $"{setting} of {client} must be a single token without white space or control characters, such as {example}; leave it unset to send no header.",
                setting);
        }
        else if (!string.Equals(SecretShapes.Mask(value), value, StringComparison.Ordinal))
        {
            // The value is not repeated: it is probably the key. These headers reach logs (the SDK logs User-Agent).
            builder.AddError(
                $"{setting} of {client} looks like an API key (sk-…), a bearer token or a JWT. The key comes only from the key provider; " +
                $"set {setting} to a value such as {example}, or leave it unset.",
                setting);
        }
    }
}
