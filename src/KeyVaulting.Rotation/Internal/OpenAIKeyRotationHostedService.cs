using KeyVaulting.Rotation.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// Runs every registered rotation with <see cref="OpenAIKeyRotationOptions.RunInBackground"/> on its schedule: a run
/// at start, then again when the result says something is due (a rotation, a grace period's end, an expired claim),
/// and at least every <see cref="OpenAIKeyRotationOptions.CheckInterval"/>; after a failure, again after a backoff
/// from one minute, doubling up to the check interval. Rotators are created at start, so a missing target or admin
/// key provider fails startup.
/// </summary>
internal sealed class OpenAIKeyRotationHostedService(
    IServiceProvider services,
    IEnumerable<OpenAIKeyRotationRegistration> registrations,
    TimeProvider? timeProvider = null,
    ILoggerFactory? loggerFactory = null) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KeyVaulting.Rotation");
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var rotators = registrations
            .Select(r => r.Name)
            .Distinct(StringComparer.Ordinal)
            .Select(name => services.GetRequiredKeyedService<OpenAIKeyRotator>(name))
            .ToList();

        foreach (var rotator in rotators.Where(r => r.Options.RunInBackground))
        {
            _loops.Add(Task.Run(() => LoopAsync(rotator, _stopping.Token), CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        finally
        {
            _stopping.Dispose();
        }
    }

    /// <summary>The delay after <paramref name="failures"/> failed runs in a row: 1 minute, doubling, up to the check interval.</summary>
    internal static TimeSpan Backoff(int failures, TimeSpan checkInterval)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(Math.Max(failures - 1, 0), 20));
        return delay < checkInterval ? delay : checkInterval;
    }

    private async Task LoopAsync(OpenAIKeyRotator rotator, CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset next;
            try
            {
                var result = await rotator.RunAsync(stopping).ConfigureAwait(false);
                failures = 0;
                next = result.NextRunAt ?? now + rotator.Options.CheckInterval;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rotator logged it and its health check reports it; the loop must not stop.
                failures++;
                next = _time.GetUtcNow() + Backoff(failures, rotator.Options.CheckInterval);
            }

            now = _time.GetUtcNow();
            var delay = next - now;
            if (delay > rotator.Options.CheckInterval)
            {
                delay = rotator.Options.CheckInterval;
            }

            if (delay < MinimumDelay)
            {
                delay = MinimumDelay;
            }

            Log.NextRun(_logger, rotator.DisplayName, now + delay);
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
