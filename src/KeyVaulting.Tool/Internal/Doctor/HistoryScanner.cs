using System.Globalization;
using KeyVaulting.KeyShapes;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// Reads the output of <c>git log -p -U0 --format=%H</c> line by line and records, for each key-shaped string an
/// added line holds, the commit, the file and the line; a key added to the same file by several commits is reported
/// once, at the oldest (the log is newest first). Only the fingerprint is kept.
/// </summary>
internal sealed class HistoryScanner
{
    private readonly Dictionary<(string Fingerprint, string File), KeyOccurrence> _found = [];
    private string? _commit;
    private string? _file;
    private int _line;
    private bool _inHeader;

    public IReadOnlyList<KeyOccurrence> Occurrences => [.. _found.Values.OrderBy(o => o.File, StringComparer.Ordinal).ThenBy(o => o.Line)];

    public void Accept(string line)
    {
        if (IsCommitLine(line))
        {
            _commit = line[..12];
            _file = null;
            _inHeader = false;
            return;
        }

        if (line.StartsWith("diff --git ", StringComparison.Ordinal))
        {
            _inHeader = true;
            _file = null;
            return;
        }

        if (_inHeader)
        {
            if (line.StartsWith("+++ ", StringComparison.Ordinal))
            {
                var path = line[4..];
                _file = path.StartsWith("b/", StringComparison.Ordinal) ? path[2..] : null; // "+++ /dev/null": the file was deleted
                _inHeader = false;
            }

            return;
        }

        if (line.StartsWith("@@ ", StringComparison.Ordinal))
        {
            _line = NewStart(line);
            return;
        }

        if (line.Length > 0 && line[0] == '+' && _file is not null && _commit is not null)
        {
            var content = line[1..];
            if (OpenAIKeyShapes.MayContainKey(content))
            {
                foreach (var match in OpenAIKeyShapes.FindAll(content))
                {
                    // Newest first: an older commit that added the same key to the same file replaces the entry.
                    _found[(match.Fingerprint, _file)] = new KeyOccurrence(_file, _line, match.Fingerprint, KeyKinds.Of(match.Kind), _commit);
                }
            }

            _line++;
        }
    }

    private static bool IsCommitLine(string line)
        => line.Length is 40 or 64 && line.All(char.IsAsciiHexDigitLower);

    /// <summary>Reads the new file's first line from a hunk header: <c>@@ -12,0 +13,2 @@</c> gives 13.</summary>
    private static int NewStart(string header)
    {
        var plus = header.IndexOf(" +", StringComparison.Ordinal);
        if (plus < 0)
        {
            return 1;
        }

        var start = plus + 2;
        var end = start;
        while (end < header.Length && char.IsAsciiDigit(header[end]))
        {
            end++;
        }

        return int.TryParse(header.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var line) ? line : 1;
    }
}
