namespace KeyVaulting.Tool.Internal;

/// <summary>A command was given arguments it cannot work with; the message says which and what to give instead. Exit code 2.</summary>
internal sealed class ToolUsageException : Exception
{
    public ToolUsageException()
    {
    }

    public ToolUsageException(string message)
        : base(message)
    {
    }

    public ToolUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
