using System.Globalization;
using KeyVaulting.Rotation.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Rotation.Health;

/// <summary>
/// Reports a rotation's health: Healthy while the key is rotated on time, Degraded when the last run failed or a
/// rotation is overdue (its due time passed more than one <see cref="OpenAIKeyRotationOptions.CheckInterval"/> ago).
/// The data has the store, ids, times and the last error; never a key.
/// </summary>
internal sealed class OpenAIKeyRotationHealthCheck(OpenAIKeyRotator rotator, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = rotator.GetStatus();
        var now = timeProvider.GetUtcNow();
        var data = new Dictionary<string, object>
        {
            ["rotation"] = rotator.DisplayName,
            ["target"] = rotator.Target.Name,
            ["consecutiveFailures"] = status.ConsecutiveFailures,
        };
        Add(data, "lastRunAt", status.LastRunAt);
        Add(data, "dueAt", status.DueAt);
        if (status.LastResult is { } result)
        {
            data["lastOutcome"] = result.Outcome.ToString();
        }

        if (status.State?.Current?.KeyId is { } currentKeyId)
        {
            data["currentKeyId"] = currentKeyId;
        }

        if (status.State?.Previous is { } previous)
        {
            data["previousKeyId"] = previous.KeyId ?? "(unknown)";
            Add(data, "previousRevokeAt", status.State.PreviousSupersededAt + rotator.Options.GracePeriod);
        }

        if (status.LastError is { } error)
        {
            data["lastError"] = error;
            return Task.FromResult(HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"Key rotation '{rotator.DisplayName}' of {rotator.Target.Name} failed {status.ConsecutiveFailures} time(s) in a row; the current key keeps working. Last error: {error}"),
                data: data));
        }

        if (status.DueAt is { } due && now - due > rotator.Options.CheckInterval)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"Key rotation '{rotator.DisplayName}' of {rotator.Target.Name} is overdue since {due:O}: no rotator has rotated the key. Check that a rotator runs (RunInBackground) and its logs."),
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(
            status.DueAt is { } next
                ? string.Create(CultureInfo.InvariantCulture, $"Key rotation '{rotator.DisplayName}' of {rotator.Target.Name}: next rotation due at {next:O}.")
                : $"Key rotation '{rotator.DisplayName}' of {rotator.Target.Name} has not run yet.",
            data));
    }

    private static void Add(Dictionary<string, object> data, string key, DateTimeOffset? value)
    {
        if (value is { } at)
        {
            data[key] = at.ToString("O", CultureInfo.InvariantCulture);
        }
    }
}
