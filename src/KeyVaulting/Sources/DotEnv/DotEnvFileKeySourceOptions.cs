using System.ComponentModel.DataAnnotations;

namespace KeyVaulting;

/// <summary>Options of the <c>.env</c> file key source (configuration <c>Type</c>: <c>DotEnvFile</c>).</summary>
/// <remarks>
/// The file is located and read again on every refresh. Its syntax is that of dotenv: <c>NAME=VALUE</c> lines, an
/// optional <c>export </c> prefix, comments, single, double and backtick quotes (multi-line allowed), UTF-8. Values are
/// never interpolated. A malformed line fails with the file's path and the line number, never its content. A missing
/// file, or one that does not set <see cref="Variable"/>, lets the chain move on to the next source.
/// </remarks>
public sealed class DotEnvFileKeySourceOptions
{
    /// <summary>
    /// Gets or sets the path of the file. A relative path is resolved against the current directory and, when
    /// <see cref="SearchParentDirectories"/> is set, against each of its parents. Default: <c>.env</c>.
    /// </summary>
    [Required]
    public string Path { get; set; } = ".env";

    /// <summary>
    /// Gets or sets the variable in the file that holds the key: a letter or <c>_</c>, then letters, digits, <c>_</c>,
    /// <c>.</c> or <c>-</c>. Default: <c>OPENAI_API_KEY</c>.
    /// </summary>
    [Required]
    public string Variable { get; set; } = "OPENAI_API_KEY";

    /// <summary>
    /// Gets or sets a value indicating whether a relative <see cref="Path"/> that is not in the current directory is
    /// looked for in each parent directory up to the root, as dotenv tools do. Default: <see langword="true"/>.
    /// </summary>
    public bool SearchParentDirectories { get; set; } = true;
}
