namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>Thrown by <see cref="ResponseSizeLimitPolicy"/>; the source turns it into a message naming the vault.</summary>
internal sealed class ResponseTooLargeException : Exception
{
    public ResponseTooLargeException()
        : base($"The answer is larger than {ResponseSizeLimitPolicy.MaxResponseBytes / 1024} KiB.")
    {
    }
}
