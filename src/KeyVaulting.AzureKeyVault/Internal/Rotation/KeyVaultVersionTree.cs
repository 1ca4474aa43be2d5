namespace KeyVaulting.AzureKeyVault.Internal.Rotation;

/// <summary>One version of the secret as the rotation sees it: its id, creation time and tags (never its value).</summary>
internal sealed record KeyVaultVersion(string Id, DateTimeOffset? CreatedOn, DateTimeOffset? ExpiresOn, bool Enabled, IReadOnlyDictionary<string, string> Tags)
{
    public string? Based => Tags.TryGetValue(KeyVaultRotationTags.Based, out var based) ? based : null;

    public bool IsWithdrawn => Tags.ContainsKey(KeyVaultRotationTags.Withdrawn);

    public bool IsCopy => Tags.ContainsKey(KeyVaultRotationTags.CopyOf);
}

/// <summary>
/// Key Vault has no conditional write, so every rotation write is a new version tagged with the version it was based
/// on, and the versions form a tree. The state is the end of the tree's effective branch: from the root of the latest
/// version, the effective child of a version is its only live child (not withdrawn, not a copy), or, while two
/// rotators' writes are both live, the earlier one (creation time, then version id). A write wins when, checked after
/// it was made, it is its parent's only live child, or strictly the earliest; a write that lost is withdrawn by its
/// writer.
/// </summary>
internal sealed class KeyVaultVersionTree
{
    private readonly Dictionary<string, KeyVaultVersion> _versions;
    private readonly ILookup<string, KeyVaultVersion> _children;

    public KeyVaultVersionTree(IEnumerable<KeyVaultVersion> versions)
    {
        _versions = versions.GroupBy(v => v.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _children = _versions.Values.Where(v => v.Based is not null && !v.IsWithdrawn && !v.IsCopy).ToLookup(v => v.Based!, StringComparer.Ordinal);
    }

    public IEnumerable<KeyVaultVersion> Versions => _versions.Values;

    public KeyVaultVersion? Find(string id) => _versions.GetValueOrDefault(id);

    /// <summary>The effective version of the tree that <paramref name="latest"/> (the version Key Vault serves) belongs to.</summary>
    public KeyVaultVersion Effective(KeyVaultVersion latest)
    {
        // Up to the root: a version written by hand, or one whose parent is gone.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var node = latest;
        while (seen.Add(node.Id) && node.Based is { } based && _versions.TryGetValue(based, out var parent))
        {
            node = parent;
        }

        // Down the effective branch.
        seen.Clear();
        while (seen.Add(node.Id) && EffectiveChild(node.Id) is { } child)
        {
            node = child;
        }

        return node;
    }

    /// <summary>Whether <paramref name="written"/>, a live child of <paramref name="basedOn"/>, won against its siblings.</summary>
    public bool Won(string basedOn, string written)
    {
        var live = _children[basedOn].ToList();
        var mine = live.FirstOrDefault(v => v.Id == written);
        if (mine is null)
        {
            return false;
        }

        // Only child; or strictly earlier than every sibling (a sibling of the same second may have seen itself alone).
        return live.All(v => v.Id == written || (mine.CreatedOn is { } at && v.CreatedOn is { } other && at < other));
    }

    private KeyVaultVersion? EffectiveChild(string id)
        => _children[id].OrderBy(v => v.CreatedOn ?? DateTimeOffset.MaxValue).ThenBy(v => v.Id, StringComparer.Ordinal).FirstOrDefault();
}
