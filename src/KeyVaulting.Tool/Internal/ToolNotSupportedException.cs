namespace KeyVaulting.Tool.Internal;

/// <summary>The command cannot do this for the source it was given; the message says why and what to do instead. Exit code 3.</summary>
internal sealed class ToolNotSupportedException : Exception
{
    public ToolNotSupportedException()
    {
    }

    public ToolNotSupportedException(string message)
        : base(message)
    {
    }

    public ToolNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
