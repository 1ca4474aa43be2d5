using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureOpenAI.Internal.Validators;

/// <summary>
/// Validates what DataAnnotations cannot: the endpoint's shape (absolute https, no user information, no plain http to
/// another machine) and a header-safe application id.
/// </summary>
internal sealed class AzureOpenAIClientSettingsCustomValidator : IValidateOptions<AzureOpenAIClientSettings>
{
    public ValidateOptionsResult Validate(string? name, AzureOpenAIClientSettings options)
    {
        var builder = new ValidateOptionsResultBuilder();
        var client = string.IsNullOrEmpty(name) ? "the default Azure OpenAI client" : $"the Azure OpenAI client '{name}'";

        if (options.Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                builder.AddError(
                    $"Endpoint of {client} must be an absolute https address such as https://my-resource.openai.azure.com/.",
                    nameof(AzureOpenAIClientSettings.Endpoint));
            }
            else if (endpoint.UserInfo.Length > 0)
            {
                // The value is not repeated: user information is a credential.
                builder.AddError(
                    $"Endpoint of {client} contains user information (user:password@). Remove it: the API key is the only credential the client sends.",
                    nameof(AzureOpenAIClientSettings.Endpoint));
            }
            else if (OpenAIOrigin.IsPlainHttpToAnotherMachine(endpoint))
            {
                builder.AddError(
                    $"Endpoint of {client} uses plain http to another machine ({OpenAIOrigin.Describe(endpoint)}): the API key would travel unencrypted. " +
                    "Use https (plain http is accepted only to this machine: localhost, 127.0.0.1, [::1]).",
                    nameof(AzureOpenAIClientSettings.Endpoint));
            }
        }

        if (options.UserAgentApplicationId is { } id)
        {
            if (id.Length == 0 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                builder.AddError(
                    $"UserAgentApplicationId of {client} must be a single token without white space or control characters, such as my-app.",
                    nameof(AzureOpenAIClientSettings.UserAgentApplicationId));
            }
            else if (!string.Equals(SecretShapes.Mask(id), id, StringComparison.Ordinal))
            {
                // Not repeated: it is probably a key, and User-Agent reaches logs.
                builder.AddError(
                    $"UserAgentApplicationId of {client} looks like an API key, a bearer token or a JWT. The key comes only from the key provider.",
                    nameof(AzureOpenAIClientSettings.UserAgentApplicationId));
            }
        }

        return builder.Build();
    }
}
