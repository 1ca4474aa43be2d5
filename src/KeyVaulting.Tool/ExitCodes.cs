namespace KeyVaulting.Tool;

/// <summary>The tool's exit codes (docs/tool.md): stable, so that CI scripts can rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>Everything checked is fine (doctor may still print warnings), or the command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>doctor found at least one error; set, rotate or revoke-now failed. The output says what and how to fix it.</summary>
    public const int Failed = 1;

    /// <summary>The command line or the application's configuration cannot be used: an unknown option, a missing directory, invalid JSON.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// The command cannot do this for the source given: set into an environment variable (no tool can), into a source
    /// of an unknown type, or into a HashiCorp Vault source whose keys the OpenAI secrets engine mints (nothing to set).
    /// </summary>
    public const int NotSupported = 3;
}
