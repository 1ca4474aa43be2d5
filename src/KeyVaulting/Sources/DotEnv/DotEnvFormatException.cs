namespace KeyVaulting.Sources.DotEnv;

/// <summary>A malformed line in a <c>.env</c> file. The message names the file and line, never the line's content.</summary>
internal sealed class DotEnvFormatException : FormatException
{
    public DotEnvFormatException(string filePath, int lineNumber, string problem)
        : base($"{filePath} line {lineNumber}: {problem}")
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    public string FilePath { get; }

    public int LineNumber { get; }
}
