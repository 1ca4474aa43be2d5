namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Builds the <c>Authorization</c> header value for a key once and reuses it while the key stays current, so that
/// sending a request allocates no string for the header.
/// </summary>
internal sealed class BearerHeaderCache
{
    private volatile Entry? _last;

    public string Get(OpenAIKey key)
    {
        // The provider hands out the same OpenAIKey instance until the key changes: a reference check is enough.
        var last = _last;
        if (last is not null && ReferenceEquals(last.Key, key))
        {
            return last.Header;
        }

        var created = new Entry(key, "Bearer " + key.Value);
        _last = created;
        return created.Header;
    }

    private sealed class Entry(OpenAIKey key, string header)
    {
        public OpenAIKey Key { get; } = key;

        public string Header { get; } = header;
    }
}
