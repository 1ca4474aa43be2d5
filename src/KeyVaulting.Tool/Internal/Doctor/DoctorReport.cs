namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// What <c>keyvaulting doctor</c> found: the configuration it read, the key the chain serves, each source, the key
/// check and the repository's hygiene, and the findings with their severity. Serialized as is for <c>--json</c>
/// (docs/tool.md); it holds fingerprints, never a key.
/// </summary>
internal sealed class DoctorReport
{
    /// <summary>Gets the version of this JSON shape; it changes only when a field changes meaning or goes away.</summary>
    public int SchemaVersion { get; init; } = 1;

    public required string Project { get; init; }

    public string? ProjectFile { get; init; }

    public required string Environment { get; init; }

    public required string EnvironmentOrigin { get; init; }

    public required IReadOnlyList<string> ConfigurationFiles { get; init; }

    public string? UserSecretsFile { get; init; }

    public required string Section { get; init; }

    public ServedKeyReport? ServedKey { get; set; }

    public string? ChainError { get; set; }

    public List<SourceReport> Sources { get; } = [];

    public KeyCheckReport? KeyCheck { get; set; }

    public HygieneReport? Hygiene { get; set; }

    public List<Finding> Findings { get; } = [];

    public int Errors => Findings.Count(f => f.Severity == Severity.Error);

    public int Warnings => Findings.Count(f => f.Severity == Severity.Warning);

    public int ExitCode => Errors > 0 ? ExitCodes.Failed : ExitCodes.Success;

    public void Add(Severity severity, string code, string message) => Findings.Add(new Finding(severity, code, message));
}

/// <summary>How serious a finding is: an error makes doctor exit with 1.</summary>
internal enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>One thing doctor found, with a stable code (docs/tool.md) and a message that says what to do.</summary>
internal sealed record Finding(Severity Severity, string Code, string Message);

/// <summary>The key the application would be served: the chain's answer.</summary>
internal sealed class ServedKeyReport
{
    public required string Source { get; init; }

    public required string Fingerprint { get; init; }

    public required string Kind { get; init; }

    public string? Version { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public long DurationMs { get; init; }
}

/// <summary>What one configured source answered when asked alone.</summary>
internal sealed class SourceReport
{
    /// <summary>Gets the source's name in configuration (<c>Sources:{Name}</c>).</summary>
    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>Gets the source's place in the chain, from 1, or <see langword="null"/> when the chain does not use it.</summary>
    public int? Position { get; init; }

    /// <summary>Gets where the source is configured: a settings file, user secrets, environment variables, or the default chain.</summary>
    public string? ConfiguredIn { get; init; }

    /// <summary>Gets the source's settings, with anything secret-shaped hidden.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    public SourceStatus Status { get; set; }

    /// <summary>Gets or sets whether the store answered: <see langword="false"/> for a timeout or a transient failure; unknown when not asked.</summary>
    public bool? Reachable { get; set; }

    public string? Reason { get; set; }

    /// <summary>Gets or sets the library's name of the source, for example <c>AzureKeyVault:openai-api-key</c>.</summary>
    public string? SourceName { get; set; }

    public string? Fingerprint { get; set; }

    public string? Kind { get; set; }

    public string? Version { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Gets or sets the file a .env source read.</summary>
    public string? File { get; set; }

    public long? DurationMs { get; set; }

    /// <summary>Gets or sets a value indicating whether this source's key is the one the chain serves.</summary>
    public bool Served { get; set; }

    /// <summary>Gets the warnings the library logged while reading the source (quotes stripped, file too open, …).</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>The outcome of asking one source.</summary>
internal enum SourceStatus
{
    /// <summary>Not asked: the chain does not use it.</summary>
    NotInChain,

    Found,

    NotFound,

    /// <summary>The store failed or refused (the message says why).</summary>
    Failed,

    /// <summary>No answer within the timeout.</summary>
    TimedOut,

    /// <summary>The source's configuration is invalid.</summary>
    InvalidConfiguration,
}

/// <summary>The answer of <c>GET /v1/models</c> with the served key (<c>--check-key</c>).</summary>
internal sealed class KeyCheckReport
{
    public required string Endpoint { get; init; }

    /// <summary>Gets or sets <c>valid</c>, <c>rejected</c>, <c>error</c> (no usable answer) or <c>skipped</c>.</summary>
    public required string Result { get; set; }

    public int? HttpStatus { get; set; }

    public string? ErrorType { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>Gets or sets the <c>openai-organization</c> header of the answer.</summary>
    public string? Organization { get; set; }

    /// <summary>Gets or sets the <c>openai-project</c> header of the answer.</summary>
    public string? ProjectId { get; set; }

    public long? DurationMs { get; set; }
}

/// <summary>The repository's hygiene: .env files, key-shaped strings in the working tree and in the history.</summary>
internal sealed class HygieneReport
{
    /// <summary>Gets or sets the repository's top directory, or <see langword="null"/> when the project is not in a git repository.</summary>
    public string? Repository { get; set; }

    public List<DotEnvFileReport> DotEnvFiles { get; } = [];

    /// <summary>Gets or sets how many files of the working tree were searched.</summary>
    public int FilesScanned { get; set; }

    public List<KeyOccurrence> WorkingTree { get; } = [];

    /// <summary>Gets or sets whether the history was searched (it is not outside a repository or with <c>--no-history</c>).</summary>
    public bool HistoryScanned { get; set; }

    public List<KeyOccurrence> History { get; } = [];
}

/// <summary>One <c>.env*</c> file that holds a key.</summary>
internal sealed class DotEnvFileReport
{
    public required string Path { get; init; }

    public required IReadOnlyList<string> Fingerprints { get; init; }

    /// <summary>Gets or sets whether git ignores it; unknown outside a repository.</summary>
    public bool? Ignored { get; set; }

    public bool? Tracked { get; set; }

    /// <summary>Gets or sets the oldest commit that has the file, or <see langword="null"/> when none has.</summary>
    public string? InHistorySince { get; set; }

    /// <summary>Gets or sets the file's Unix mode in octal (<c>600</c>), or <see langword="null"/> on Windows.</summary>
    public string? Mode { get; set; }

    public bool? OwnerOnly { get; set; }
}

/// <summary>A key-shaped string found in a file: where, and its fingerprint (never the key).</summary>
internal sealed record KeyOccurrence(string File, int Line, string Fingerprint, string Kind, string? Commit = null);
