namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// A <c>.env</c> file that cannot be used: a malformed line, text that is not UTF-8 or UTF-16, or a file too large. The
/// message names the file and the line, never the line's content.
/// </summary>
internal sealed class DotEnvFormatException : FormatException
{
    public DotEnvFormatException(string filePath, int lineNumber, string problem)
        : base($"{filePath} line {lineNumber}: {problem}")
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>A problem with the whole file rather than one line (<see cref="LineNumber"/> is 0).</summary>
    public DotEnvFormatException(string filePath, string problem)
        : base($"{filePath}: {problem}")
    {
        FilePath = filePath;
    }

    public string FilePath { get; }

    /// <summary>Gets the 1-based line of the problem; 0 when the problem is the whole file.</summary>
    public int LineNumber { get; }
}
