using KeyVaulting.Rotation.Health;
using KeyVaulting.Rotation.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the key rotation health check to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class OpenAIKeyRotationHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check for a key rotation: Healthy while the key is rotated on time, Degraded when the last run
    /// failed or a rotation is overdue. It reports ids and times, never a key.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="rotationName">The rotation's name; <see langword="null"/> or empty for the default rotation.</param>
    /// <param name="name">The check's name. Default: <c>openai-key-rotation</c>, or <c>openai-key-rotation:{rotationName}</c>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The health checks builder.</returns>
    public static IHealthChecksBuilder AddOpenAIKeyRotation(this IHealthChecksBuilder builder, string? rotationName = null, string? name = null, IEnumerable<string>? tags = null)
    {
        Throw.IfNull(builder);
        var key = rotationName ?? string.Empty;
        return builder.Add(new HealthCheckRegistration(
            name ?? (key.Length == 0 ? "openai-key-rotation" : $"openai-key-rotation:{key}"),
            sp => new OpenAIKeyRotationHealthCheck(sp.GetRequiredKeyedService<OpenAIKeyRotator>(key), sp.GetService<TimeProvider>() ?? TimeProvider.System),
            HealthStatus.Degraded,
            tags));
    }
}
