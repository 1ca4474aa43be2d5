using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Sources.DotEnv;

/// <summary>
/// Runs the parser over the assertions of three other dotenv implementations (tests/fixtures/dotenv: motdotla/dotenv,
/// DotNetEnv, Ruby dotenv). Each upstream expectation must hold, unless it is in <see cref="Differences"/>: there our
/// own outcome is asserted instead, with the reason. docs/dotenv.md documents the same list.
/// </summary>
public class DotEnvConformanceTests
{
    private const string Hash = "'#' starts a comment only after a space or tab (as in DotNetEnv and shells), so a '#' inside a password or token survives";
    private const string Interpolation = "no variable interpolation: '$' is literal, so a secret containing '$' is never mangled and nothing from the environment leaks into a value";
    private const string BackslashEscape = "in double quotes '\\\\' is an escaped backslash, as in DotNetEnv, Ruby dotenv and shells";
    private const string OnlyListedEscapes = "the only escapes are \\n \\r \\t \\\" \\\\ \\' \\$; any other backslash is kept (write the character itself: the file is UTF-8)";
    private const string OnlyExportPrefix = "only the 'export' prefix is accepted; 'set', 'set -x' and 'SET' are shell or cmd commands, so the file is rejected at the first such line";
    private const string UnquotedIsLiteral = "unquoted values are literal: a backslash is kept";
    private const string NewlineEscapes = "\\n and \\r in double quotes are expanded, as motdotla/dotenv and DotNetEnv do (Ruby dotenv's default 'strict' mode keeps them)";
    private const string Strict = "a line that is not NAME=VALUE, a comment or blank is rejected with its line number instead of being skipped";
    private const string SingleQuotesLiteral = "single quotes are literal, so a single-quoted value cannot contain a single quote (use double quotes); the text after it is rejected";
    private const string NoCommands = "commands are never executed: '$(...)' stays literal";
    private const string FileAsWritten = "the file is read as written; the process environment is a separate source (EnvironmentVariable) earlier in the chain";

    private static readonly Lazy<IReadOnlyDictionary<string, Expectation>> AllExpectations = new(LoadExpectations);

    /// <summary>
    /// Every deliberate difference: expectation id (or the id of a whole file or case, before '#') → our outcome and
    /// why. An id is <c>suite/file-or-case#KEY</c>.
    /// </summary>
    private static readonly Dictionary<string, (Outcome Ours, string Reason)> Differences = new(StringComparer.Ordinal)
    {
        ["motdotla/.env#INLINE_COMMENTS_SPACE"] = (Outcome.Value("inline comments start with a#number sign. no space required."), Hash),
        ["motdotla/inline[6]#A"] = (Outcome.Value("\\"), BackslashEscape),

        ["dotnet-env/.env2#UNICODE"] = (Outcome.Value("\\u00ae \\U0001F680 日本"), OnlyListedEscapes),
        ["dotnet-env/.env_embedded#TEST2"] = (Outcome.Value("$TEST"), Interpolation),
        ["dotnet-env/.env_embedded#TEST3"] = (Outcome.Value("$TEST${TEST2}"), Interpolation),
        ["dotnet-env/.env_embedded#TEST4"] = (Outcome.Value("$TEST${TEST4}$TEST1"), Interpolation),
        ["dotnet-env/.env_embedded#TEST5_DOUBLE"] = (Outcome.Value("$TEST:$TEST4 $$ '\" \\uae and $TEST1"), Interpolation + "; " + OnlyListedEscapes),
        ["dotnet-env/.env_embedded#TEST5_UNQUOTED"] = (Outcome.Value("$TEST:$TEST4\\uaeand$TEST1"), Interpolation),
        ["dotnet-env/.env_embedded#TEST_UNQUOTED_WITH_INTERPOLATED_SURROUNDING_SPACES"] = (Outcome.Value("$TEST_VALUE_WITH_SURROUNDING_SPACES"), Interpolation),
        ["dotnet-env/.env_embedded#SECOND_KEY"] = (Outcome.Value("value2and$FIRST_KEY"), Interpolation),
        ["dotnet-env/.env_embedded#THIRD_KEY"] = (Outcome.Value("$EXISTING_ENVIRONMENT_VARIABLE;andvalue3"), Interpolation),
        ["dotnet-env/.env_embedded#FOURTH_KEY"] = (Outcome.Value("$DNE_VAR;nope"), Interpolation),
        ["dotnet-env/.env_embedded#DOLLAR2_U"] = (Outcome.Value("value$DOLLAR1_U$"), Interpolation),
        ["dotnet-env/.env_embedded#DOLLAR2_D"] = (Outcome.Value("value$DOLLAR1_D$"), Interpolation),
        ["dotnet-env/.env_export_multiline"] = (Outcome.Rejected(3), OnlyExportPrefix),
        ["dotnet-env/.env_examples"] = (Outcome.Rejected(3), OnlyExportPrefix),
        ["dotnet-env/.env_examples (set lines removed)#KEY_DOUBLE"] = (Outcome.Value("extra $ENVVAR value"), Interpolation),
        ["dotnet-env/.env_other#TEST_INTERPOLATION_VARIABLE"] = (Outcome.Value("$VAR1 test test$VAR2test test"), Interpolation),
        ["dotnet-env/.env_other#TEST_INTERPOLATION_SYNTAX_ONE"] = (Outcome.Value("test test{$NVAR1}test{$NVAR2}test test"), Interpolation),
        ["dotnet-env/.env_other#TEST_INTERPOLATION_SYNTAX_TWO"] = (Outcome.Value("test test${NVAR1}test${NVAR2}test test"), Interpolation),
        ["dotnet-env/.env_other#TEST_INTERPOLATION_SYNTAX_ALL"] = (Outcome.Value("test$VAR1test test {VAR2}test test${VAR3}test"), Interpolation),
        ["dotnet-env/.env_other#TEST_DOUBLE"] = (Outcome.Value("Lorem {$VAR1} ${VAR2} $VAR3 ipsum dolor sit amet\n\r\t\\"), Interpolation),

        ["ruby-dotenv/parses unquoted escape characters correctly#FOO"] = (Outcome.Value("bar\\ bar"), UnquotedIsLiteral),
        ["ruby-dotenv/expands variables found in values#BAR"] = (Outcome.Value("$FOO"), Interpolation),
        ["ruby-dotenv/parses variables wrapped in brackets#BAR"] = (Outcome.Value("${FOO}bar"), Interpolation),
        ["ruby-dotenv/expands variables from ENV if not found in .env#BAR"] = (Outcome.Value("$FOO"), Interpolation),
        ["ruby-dotenv/expands variables from ENV if found in .env during load#BAR"] = (Outcome.Value("${FOO}"), Interpolation),
        ["ruby-dotenv/expands undefined variables to an empty string#BAR"] = (Outcome.Value("$FOO"), Interpolation),
        ["ruby-dotenv/expands variables in double quoted strings#BAR"] = (Outcome.Value("quote $FOO"), Interpolation),
        ["ruby-dotenv/does not expand escaped variables (3)#BAR"] = (Outcome.Value("foo${FOO} ${FOO}"), Interpolation),
        ["ruby-dotenv/parses yaml style options"] = (Outcome.Rejected(1), Strict),
        ["ruby-dotenv/allows export line if you want to do it that way"] = (Outcome.Rejected(2), Strict),
        ["ruby-dotenv/escapes \\n in quoted strings (default 'strict' linebreak mode: NOT expanded)#FOO"] = (Outcome.Value("bar\nbaz"), NewlineEscapes),
        ["ruby-dotenv/escapes carriage return in quoted strings#FOO"] = (Outcome.Value("bar\rbaz"), NewlineEscapes),
        ["ruby-dotenv/ignores lines that are not variable assignments"] = (Outcome.Rejected(1), Strict),
        ["ruby-dotenv/allows multi-line values in single quotes"] = (Outcome.Rejected(7), SingleQuotesLiteral),
        ["ruby-dotenv/parses shell commands interpolated in $()#echo"] = (Outcome.Value("$(echo hello)"), NoCommands),
        ["ruby-dotenv/doesn't interpolate shell commands when escape says not to#echo"] = (Outcome.Value("escaped-\\$(echo hello)"), UnquotedIsLiteral),
        ["ruby-dotenv/returns existing value for redefined variable#FOO"] = (Outcome.Value("bar"), FileAsWritten),
    };

    public static TheoryData<string> ExpectationIds => new(AllExpectations.Value.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ExpectationIds))]
    public void FindValue_UpstreamExpectation_HoldsOrIsAListedDifference(string id)
    {
        var expectation = AllExpectations.Value[id];
        var ours = Run(expectation);

        if (FindDifference(id) is { } difference)
        {
            ours.Should().Be(difference.Ours, "the listed difference says so: {0}", difference.Reason);
            ours.Matches(expectation.Upstream).Should().BeFalse("a listed difference must really differ from upstream; remove it from the list");
        }
        else
        {
            ours.Matches(expectation.Upstream).Should().BeTrue("upstream expects {0} but we got {1}", expectation.Upstream, ours);
        }
    }

    /// <summary>
    /// node-dotenv behaviour that its own tests do not assert, for rows of docs/dotenv.md's table: the input, what
    /// motdotla/dotenv's <c>parse()</c> returns for it (its classic parser in lib/main.js at the fixtures' commit,
    /// 2fc7eac, run with node), whether KeyVaulting deliberately differs, and what KeyVaulting returns.
    /// </summary>
    public static TheoryData<string, string, string, bool, string?> NodeDotenvBehaviour => new()
    {
        { "\\t in double quotes", "KEY=\"a\\tb\"", "a\\tb", true, "a\tb" },
        { "\\\" in double quotes", "KEY=\"a\\\"b\"", "a\\\"b", true, "a\"b" },
        { "\\$ in double quotes", "KEY=\"a\\$b\"", "a\\$b", true, "a$b" },
        { "\\' in double quotes", "KEY=\"a\\'b\"", "a\\'b", true, "a'b" },
        { "# right after =", "KEY=#b", "", true, "#b" },
        { "# alone after =", "KEY=#", "", true, "#" },
        { "no-break space after a closing quote", "KEY=\"a\"\u00A0\nB=2", "a", true, null },
        { "ideographic space after a closing quote", "KEY='a'\u3000", "a", true, null },
        { "CRLF inside a multi-line value", "KEY=\"l1\r\nl2\"\r\nB=2", "l1\nl2", false, "l1\nl2" },
        { "CR inside a multi-line value", "KEY='l1\rl2'", "l1\nl2", false, "l1\nl2" },
        { "escaped \\r\\n in double quotes", "KEY=\"l1\\r\\nl2\"", "l1\r\nl2", false, "l1\r\nl2" },
    };

    [Theory]
    [MemberData(nameof(NodeDotenvBehaviour))]
    public void FindValue_NodeDotenvBehaviourOutsideItsTests_DiffersOnlyWhereDocumented(string row, string input, string node, bool differs, string? ours)
    {
        var outcome = Run(new Expectation(row, Encoding.UTF8.GetBytes(input), "KEY", Outcome.Value(node)));

        outcome.Should().Be(ours is null ? Outcome.Rejected(1) : Outcome.Value(ours), "docs/dotenv.md says so for '{0}'", row);
        outcome.Matches(Outcome.Value(node)).Should().Be(!differs, "'{0}' is {1} node-dotenv", row, differs ? "a difference from" : "the same as in");
    }

    [Fact]
    public void Differences_EachOneAppliesToAnUpstreamExpectation()
    {
        var ids = AllExpectations.Value.Keys.ToList();

        foreach (var (id, (_, reason)) in Differences)
        {
            ids.Should().Contain(e => e == id || e.StartsWith(id + "#", StringComparison.Ordinal), "difference {0} must match an expectation", id);
            reason.Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void Expectations_CoverEverySuite()
    {
        var ids = AllExpectations.Value.Keys.ToList();

        ids.Count(i => i.StartsWith("motdotla/", StringComparison.Ordinal)).Should().BeGreaterThan(90);
        ids.Count(i => i.StartsWith("dotnet-env/", StringComparison.Ordinal)).Should().BeGreaterThan(100);
        ids.Count(i => i.StartsWith("ruby-dotenv/", StringComparison.Ordinal)).Should().BeGreaterThan(60);
    }

    private static (Outcome Ours, string Reason)? FindDifference(string id)
    {
        if (Differences.TryGetValue(id, out var exact))
        {
            return exact;
        }

        var hash = id.LastIndexOf('#');
        return hash > 0 && Differences.TryGetValue(id[..hash], out var whole) ? whole : null;
    }

    private static Outcome Run(Expectation expectation)
    {
        try
        {
            var value = DotEnvParser.FindValue(new MemoryStream(expectation.Input), expectation.Key, expectation.Source, out _);
            return value is null ? Outcome.Absent : Outcome.Value(value);
        }
        catch (DotEnvFormatException ex)
        {
            return Outcome.Rejected(ex.LineNumber);
        }
    }

    private static Dictionary<string, Expectation> LoadExpectations()
    {
        var all = new Dictionary<string, Expectation>(StringComparer.Ordinal);
        LoadMotdotla(all);
        LoadDotNetEnv(all);
        LoadRubyDotenv(all);
        return all;
    }

    private static void LoadMotdotla(Dictionary<string, Expectation> all)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixtures.PathOf("dotenv", "expected.json")));
        foreach (var file in json.RootElement.GetProperty("files").EnumerateObject())
        {
            var input = File.ReadAllBytes(Fixtures.PathOf("dotenv", file.Name));
            AddFileExpectations(all, file.Name, input, file.Value);
        }

        var index = 0;
        foreach (var inline in json.RootElement.GetProperty("inline").EnumerateArray())
        {
            var input = Encoding.UTF8.GetBytes(inline.GetProperty("input").GetString()!);
            AddFileExpectations(all, $"motdotla/inline[{index++}]", input, inline);
        }
    }

    private static void LoadDotNetEnv(Dictionary<string, Expectation> all)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixtures.PathOf("dotenv", "dotnet-env", "expected.json")));
        foreach (var file in json.RootElement.GetProperty("files").EnumerateObject())
        {
            var input = File.ReadAllBytes(Fixtures.PathOf("dotenv", "dotnet-env", file.Name));
            AddFileExpectations(all, $"dotnet-env/{file.Name}", input, file.Value);

            // Files rejected for their 'set' lines are also checked without those lines, so the rest still counts.
            var lines = Encoding.UTF8.GetString(input).Split('\n');
            var setLine = new Regex(@"^\s*(set|SET)\s+(-x\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=", RegexOptions.CultureInvariant);
            var removed = lines.Select(l => setLine.Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet();
            if (removed.Count > 0)
            {
                var kept = Encoding.UTF8.GetBytes(string.Join('\n', lines.Where(l => !setLine.IsMatch(l))));
                AddFileExpectations(all, $"dotnet-env/{file.Name} (set lines removed)", kept, file.Value, removed);
            }
        }

        var inline = json.RootElement.GetProperty("inline");
        var index = 0;
        foreach (var basics in inline.GetProperty("basics").EnumerateArray())
        {
            AddFileExpectations(all, $"dotnet-env/basics[{index++}]", Encoding.UTF8.GetBytes(basics.GetProperty("input").GetString()!), basics);
        }

        index = 0;
        foreach (var error in inline.GetProperty("syntaxErrors").EnumerateArray())
        {
            var id = $"dotnet-env/syntaxErrors[{index++}]";
            var input = Encoding.UTF8.GetBytes(error.GetProperty("input").GetString()!);
            all.Add(id + "#(rejected)", new Expectation(id, input, "UNUSED_PROBE", Outcome.Rejected(0)));
        }
    }

    private static void LoadRubyDotenv(Dictionary<string, Expectation> all)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixtures.PathOf("dotenv", "ruby-dotenv", "parser_spec_cases.json")));
        foreach (var @case in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            var id = "ruby-dotenv/" + @case.GetProperty("it").GetString();
            var input = Encoding.UTF8.GetBytes(@case.GetProperty("input").GetString()!);
            if (@case.TryGetProperty("raises", out _))
            {
                all.Add(id + "#(rejected)", new Expectation(id, input, "UNUSED_PROBE", Outcome.Rejected(0)));
                continue;
            }

            var expected = @case.GetProperty("expected");
            if (!expected.EnumerateObject().Any())
            {
                // Upstream parses this to nothing: probe a name the input does not assign.
                all.Add(id + "#(nothing)", new Expectation(id, input, "UNUSED_PROBE", Outcome.Absent));
            }

            AddFileExpectations(all, id, input, @case);
        }
    }

    private static void AddFileExpectations(Dictionary<string, Expectation> all, string id, byte[] input, JsonElement element, IReadOnlySet<string>? skip = null)
    {
        void Add(string key, Outcome upstream)
        {
            if (skip is null || !skip.Contains(key))
            {
                all.Add($"{id}#{key}", new Expectation(id, input, key, upstream));
            }
        }

        if (element.TryGetProperty("expected", out var expected) && expected.ValueKind == JsonValueKind.Object)
        {
            foreach (var pair in expected.EnumerateObject())
            {
                Add(pair.Name, Outcome.Value(pair.Value.GetString()!));
            }
        }

        // DotNetEnv asserts an empty value as a null environment variable; its parser yields "".
        if (element.TryGetProperty("envVarNull", out var empty))
        {
            foreach (var key in empty.EnumerateArray())
            {
                Add(key.GetString()!, Outcome.Value(string.Empty));
            }
        }

        if (element.TryGetProperty("absent", out var absent))
        {
            foreach (var key in absent.EnumerateArray())
            {
                Add(key.GetString()!, Outcome.Absent);
            }
        }
    }

    private sealed record Expectation(string Source, byte[] Input, string Key, Outcome Upstream);

    /// <summary>What parsing gives for one name: a value, nothing, or a rejected file (with our line; upstream's is 0).</summary>
    private sealed record Outcome(string Kind, string? Text, int Line)
    {
        public static readonly Outcome Absent = new("absent", null, 0);

        public static Outcome Value(string text) => new("value", text, 0);

        public static Outcome Rejected(int line) => new("rejected", null, line);

        /// <summary>Upstream rejections carry no line number we can compare: only the kind counts for them.</summary>
        public bool Matches(Outcome upstream)
            => Kind == upstream.Kind && (Kind == "rejected" || string.Equals(Text, upstream.Text, StringComparison.Ordinal));

        public override string ToString() => Kind switch
        {
            "value" => $"value \"{Text!.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)}\"",
            "rejected" => $"rejected at line {Line}",
            _ => Kind,
        };
    }
}
