namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The origin of an address: its scheme, host and port (the default port when none is written), as browsers compare
/// them. The key goes to one origin; a request to any other, even the same host on another port or by another name,
/// goes without it.
/// </summary>
internal readonly record struct OpenAIOrigin(string Scheme, string Host, int Port)
{
    /// <summary>Gets the origin of an absolute address.</summary>
    public static OpenAIOrigin Of(Uri address) => new(address.Scheme, address.IdnHost, address.Port);

    /// <summary>Returns whether an address is plain http to a host that is not this machine.</summary>
    public static bool IsPlainHttpToAnotherMachine(Uri address)
        => address.IsAbsoluteUri && string.Equals(address.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) && !address.IsLoopback;

    /// <summary>Shows an address's origin, <c>scheme://host[:port]</c>, without user information, path or query.</summary>
    public static string Describe(Uri address)
        => address.IsAbsoluteUri ? address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "(a relative address)";

    /// <summary>Returns whether an address belongs to this origin.</summary>
    public bool Contains(Uri? address)
        => address is { IsAbsoluteUri: true }
           && address.Port == Port
           && string.Equals(address.Scheme, Scheme, StringComparison.OrdinalIgnoreCase)
           && string.Equals(address.IdnHost, Host, StringComparison.OrdinalIgnoreCase);
}
