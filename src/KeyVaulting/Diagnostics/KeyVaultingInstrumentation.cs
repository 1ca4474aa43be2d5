namespace KeyVaulting;

/// <summary>
/// The names to collect KeyVaulting's metrics and traces by, for example with OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(KeyVaultingInstrumentation.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(KeyVaultingInstrumentation.ActivitySourceName))</c>.
/// </summary>
/// <remarks>
/// Every instrument, its unit, its tags and what to alert on are listed in <c>docs/observability.md</c>. No tag ever
/// holds a key: providers and sources appear by name, keys not at all.
/// </remarks>
public static class KeyVaultingInstrumentation
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every KeyVaulting instrument belongs to.</summary>
    public const string MeterName = "KeyVaulting";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of KeyVaulting's spans.</summary>
    public const string ActivitySourceName = "KeyVaulting";
}
