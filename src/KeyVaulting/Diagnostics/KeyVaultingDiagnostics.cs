using System.Diagnostics;

namespace KeyVaulting.Diagnostics;

/// <summary>Names of KeyVaulting's meter, activity source, instruments and tags.</summary>
internal static class KeyVaultingDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and of the <see cref="ActivitySource"/>.</summary>
    public const string Name = "KeyVaulting";

    public const string FetchesInstrument = "keyvaulting.source.fetches";
    public const string FetchDurationInstrument = "keyvaulting.source.fetch.duration";
    public const string RotationsInstrument = "keyvaulting.key.rotations";
    public const string KeyAgeInstrument = "keyvaulting.key.age";
    public const string KeyRejectedInstrument = "keyvaulting.key.rejected";

    public const string ProviderTag = "keyvaulting.provider";
    public const string SourceTag = "keyvaulting.source";
    public const string OutcomeTag = "keyvaulting.outcome";

    public const string FetchActivity = "KeyVaulting.Fetch";

    public const string OutcomeFound = "found";
    public const string OutcomeNotFound = "not_found";
    public const string OutcomeFailed = "failed";

    public static readonly ActivitySource ActivitySource = new(Name);
}
