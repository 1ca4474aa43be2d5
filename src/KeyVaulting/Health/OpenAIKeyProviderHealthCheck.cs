using System.Globalization;
using KeyVaulting.Provider;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Health;

/// <summary>
/// Reports a provider's health: Healthy with a fresh key, Degraded while serving the last known good key after
/// failed refreshes (or after its source reported it absent), Unhealthy with no key, with a key OpenAI rejects while no
/// source holds a newer one, or with one not confirmed for longer than <see cref="OpenAIKeyProviderOptions.MaxStaleness"/>.
/// The data has source, version, fingerprint, age, last error and, for a rejected key, since when and OpenAI's error
/// code; never a key (names and errors are masked by the provider).
/// </summary>
internal sealed class OpenAIKeyProviderHealthCheck(OpenAIKeyProvider provider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Loads the first key of a lazy provider; a memory read otherwise.
            await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeyUnavailableException ex)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"OpenAI key provider '{provider.DisplayName}' has no key.",
                data: new Dictionary<string, object> { ["provider"] = provider.DisplayName, ["lastError"] = ex.Message });
        }

        var status = provider.GetStatus();
        var key = status.Key!;
        // Measured on the monotonic clock: a step of the wall clock neither hides nor fakes staleness.
        var age = status.SinceLastSuccess ?? TimeSpan.Zero;
        var data = new Dictionary<string, object>
        {
            ["provider"] = provider.DisplayName,
            ["source"] = key.Source,
            ["fingerprint"] = key.Fingerprint,
            ["ageSeconds"] = Math.Round(age.TotalSeconds, 3),
            ["consecutiveFailures"] = status.ConsecutiveFailures,
        };
        if (key.Version is not null)
        {
            data["version"] = key.Version;
        }

        if (key.ExpiresAt is { } expiresAt)
        {
            data["expiresAt"] = expiresAt.ToString("O", CultureInfo.InvariantCulture);
        }

        if (status.LastError is not null)
        {
            data["lastError"] = status.LastError;
        }

        if (status.Rejection is { } rejection)
        {
            // Every request fails with 401 until a source holds a newer key, or a request succeeds with this one.
            data["rejectedSince"] = rejection.Since.ToString("O", CultureInfo.InvariantCulture);
            data["rejectedForSeconds"] = Math.Round(rejection.Duration.TotalSeconds, 3);
            data["openAIError"] = rejection.ErrorCode;
            data["rejectedRequests"] = rejection.Requests;
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"OpenAI rejects key {key.Fingerprint} from {key.Source} (401, error {rejection.ErrorCode}) since {data["rejectedSince"]}, and no source holds a newer key: requests fail. Put a valid key in {key.Source}; it is read within seconds.",
                data: data);
        }

        if (age > provider.Options.MaxStaleness)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Key {key.Fingerprint} has not been confirmed by its source for {age:g}, longer than MaxStaleness ({provider.Options.MaxStaleness:g}).",
                data: data);
        }

        if (status.ConsecutiveFailures > 0)
        {
            return HealthCheckResult.Degraded(
                $"Serving the last known good key {key.Fingerprint}; {status.ConsecutiveFailures} refresh(es) failed.",
                data: data);
        }

        if (SourceWarning(key) is { } warning)
        {
            data["warning"] = warning;
            return HealthCheckResult.Degraded($"Serving key {key.Fingerprint} from {key.Source}, which warns: {warning}", data: data);
        }

        return HealthCheckResult.Healthy($"Serving key {key.Fingerprint} from {key.Source}.", data);
    }

    /// <summary>
    /// The warning of the source that found the key served, if it has one (a .env placeholder, for example): such a key
    /// is served, and the check reports Degraded until the source finds one without a warning.
    /// </summary>
    private string? SourceWarning(OpenAIKey key)
        => provider.Sources.OfType<IOpenAIKeySourceWarning>().FirstOrDefault(s => s.Name == key.Source)?.Warning;
}
