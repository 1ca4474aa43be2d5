namespace KeyVaulting.Tool.Internal;

/// <summary>A command could not do what it was asked; the message says why and what to do. Exit code 1.</summary>
internal sealed class ToolFailureException : Exception
{
    public ToolFailureException()
    {
    }

    public ToolFailureException(string message)
        : base(message)
    {
    }

    public ToolFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
