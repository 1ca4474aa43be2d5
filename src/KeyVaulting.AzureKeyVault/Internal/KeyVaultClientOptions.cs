using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// Creates the Azure SDK client options of one source: the pinned service version, the application's changes
/// (<see cref="AzureKeyVaultKeySourceOptions.ConfigureClientOptions"/>), then what KeyVaulting guarantees: retries that
/// do not wait long inside a read, allow-list logging only, and the 256 KiB answer cap next to the transport. Each
/// source gets an instance of its own, so nothing the application holds is ever changed.
/// </summary>
internal static class KeyVaultClientOptions
{
    /// <summary>The Key Vault service version pinned unless the options choose another.</summary>
    public const SecretClientOptions.ServiceVersion PinnedServiceVersion = SecretClientOptions.ServiceVersion.V7_6;

    /// <exception cref="InvalidOperationException">The application's changes would log the secret or the token.</exception>
    public static SecretClientOptions Create(AzureKeyVaultKeySourceOptions options, TimeProvider timeProvider, string where)
    {
        var clientOptions = new SecretClientOptions(options.ServiceVersion ?? PinnedServiceVersion);
        options.ConfigureClientOptions?.Invoke(clientOptions);
        if (FindUnsafeLogging(clientOptions) is { } problem)
        {
            throw new InvalidOperationException($"{where}: {problem}");
        }

        clientOptions.RetryPolicy ??= new BoundedWaitRetryPolicy(timeProvider, clientOptions.Retry);

        // Added last, so that it is the policy next to the transport, below any the application added.
        clientOptions.AddPolicy(ResponseSizeLimitPolicy.Shared, HttpPipelinePosition.BeforeTransport);
        return clientOptions;
    }

    /// <summary>Returns why the client options would write the secret or a token to the Azure SDK's logs, or null.</summary>
    private static string? FindUnsafeLogging(SecretClientOptions options)
    {
        if (options.Diagnostics.IsLoggingContentEnabled)
        {
            return "ConfigureClientOptions turns on Diagnostics.IsLoggingContentEnabled: the Azure SDK would log response bodies, " +
                   "which hold the secret's value. Leave it false.";
        }

        if (options.Diagnostics.LoggedHeaderNames.Any(h => string.Equals(h, "Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            return "ConfigureClientOptions adds Authorization to Diagnostics.LoggedHeaderNames: the Azure SDK would log the access token. Remove it.";
        }

        return null;
    }
}
