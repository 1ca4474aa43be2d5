namespace KeyVaulting.Samples.Console;

/// <summary>A step of the offline demo did not behave as expected.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);
