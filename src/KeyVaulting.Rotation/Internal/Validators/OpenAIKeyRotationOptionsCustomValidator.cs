using System.Globalization;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Rotation.Internal.Validators;

/// <summary>
/// Validates the rules of <see cref="OpenAIKeyRotationOptions"/> that span settings: the service account the
/// strategy needs, the keys' lifetime, the endpoints' shape, and a grace period long enough for this application's
/// own key provider to pick the new key up.
/// </summary>
internal sealed class OpenAIKeyRotationOptionsCustomValidator(IOptionsMonitor<OpenAIKeyProviderOptions> providers) : IValidateOptions<OpenAIKeyRotationOptions>
{
    /// <summary>The longest lifetime OpenAI gives a key: <c>expires_in_seconds</c> is at most 31,536,000.</summary>
    public static readonly TimeSpan MaxKeyLifetime = TimeSpan.FromSeconds(31_536_000);

    public ValidateOptionsResult Validate(string? name, OpenAIKeyRotationOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        var rotation = string.IsNullOrEmpty(name) ? "the default key rotation" : $"key rotation '{name}'";

        if (!Enum.IsDefined(options.Strategy))
        {
            builder.AddError($"Strategy of {rotation} must be Automatic, ServiceAccountKeys or ServiceAccounts.", nameof(OpenAIKeyRotationOptions.Strategy));
        }

        if (options.Strategy == OpenAIKeyRotationStrategy.ServiceAccountKeys && string.IsNullOrWhiteSpace(options.ServiceAccountId))
        {
            builder.AddError($"ServiceAccountId of {rotation} is required with Strategy ServiceAccountKeys: set it to the service account the keys are minted for (svc_acct_…), or use Strategy ServiceAccounts.", nameof(OpenAIKeyRotationOptions.ServiceAccountId));
        }

        CheckId(builder, rotation, nameof(OpenAIKeyRotationOptions.ProjectId), options.ProjectId, "proj_…");
        CheckId(builder, rotation, nameof(OpenAIKeyRotationOptions.ServiceAccountId), options.ServiceAccountId, "svc_acct_…");

        var lifetime = options.KeyLifetime ?? options.Interval + (2 * options.GracePeriod);
        if (lifetime > MaxKeyLifetime)
        {
            builder.AddError(
                string.Create(CultureInfo.InvariantCulture, $"The keys' lifetime of {rotation} ({lifetime}, {(options.KeyLifetime is null ? "Interval plus twice GracePeriod" : "KeyLifetime")}) exceeds the 365 days OpenAI allows; shorten Interval or set KeyLifetime."),
                nameof(OpenAIKeyRotationOptions.KeyLifetime));
        }

        if (options.KeyLifetime is { } explicitLifetime && explicitLifetime < options.Interval + options.GracePeriod)
        {
            builder.AddError(
                string.Create(CultureInfo.InvariantCulture, $"KeyLifetime of {rotation} ({explicitLifetime}) must be at least Interval plus GracePeriod ({options.Interval + options.GracePeriod}), or keys would expire before they are replaced."),
                nameof(OpenAIKeyRotationOptions.KeyLifetime));
        }

        CheckEndpoint(builder, rotation, nameof(OpenAIKeyRotationOptions.AdminEndpoint), options.AdminEndpoint);
        CheckEndpoint(builder, rotation, nameof(OpenAIKeyRotationOptions.Endpoint), options.Endpoint);

        if (options.ProviderName is { } providerName)
        {
            if (string.Equals(providerName, options.AdminKeyProviderName, StringComparison.Ordinal))
            {
                builder.AddError($"ProviderName and AdminKeyProviderName of {rotation} name the same key provider: the admin key must have a provider of its own, never the one that serves the rotated key.", nameof(OpenAIKeyRotationOptions.ProviderName));
            }
            else
            {
                // This application's own consumer: the old key must outlive one refresh interval (jittered by up to
                // 10%) plus one read of the store.
                var consumer = providers.Get(providerName);
                var needed = (consumer.RefreshInterval * 1.1) + consumer.SourceTimeout;
                if (options.GracePeriod < needed)
                {
                    builder.AddError(
                        string.Create(CultureInfo.InvariantCulture, $"GracePeriod of {rotation} ({options.GracePeriod}) is shorter than 1.1 × RefreshInterval plus SourceTimeout of key provider '{providerName}' ({needed}): an instance could still send the old key when it is revoked. Raise GracePeriod to at least {needed}, or lower that provider's RefreshInterval."),
                        nameof(OpenAIKeyRotationOptions.GracePeriod));
                }
            }
        }

        foreach (var scope in options.Scopes)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Any(char.IsWhiteSpace))
            {
                builder.AddError($"Scopes of {rotation} must be scope names without white space, such as api.responses.write.", nameof(OpenAIKeyRotationOptions.Scopes));
                break;
            }
        }

        return builder.Build();
    }

    private static void CheckId(ValidateOptionsResultBuilder builder, string rotation, string setting, string? value, string example)
    {
        if (value is not null && (value.Length == 0 || value.Length > 200 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '?' or '#')))
        {
            // The value is not repeated: an id in the wrong place may be a key.
            builder.AddError($"{setting} of {rotation} must be an OpenAI id such as {example}.", setting);
        }
        else if (value is not null && value.StartsWith("sk-", StringComparison.Ordinal))
        {
            builder.AddError($"{setting} of {rotation} holds a key (sk-…), not an id: remove it from the configuration at once, revoke that key, and set the id ({example}).", setting);
        }
    }

    private static void CheckEndpoint(ValidateOptionsResultBuilder builder, string rotation, string setting, Uri? endpoint)
    {
        if (endpoint is null)
        {
            return;
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            builder.AddError($"{setting} of {rotation} must be an absolute http or https address such as https://api.openai.com/v1/.", setting);
        }
        else if (endpoint.UserInfo.Length > 0)
        {
            builder.AddError($"{setting} of {rotation} contains user information (user:password@); remove it.", setting);
        }
        else if (endpoint.Scheme == Uri.UriSchemeHttp && !endpoint.IsLoopback)
        {
            builder.AddError($"{setting} of {rotation} is plain http to another machine: keys would cross the network in clear. Use https.", setting);
        }
    }
}
