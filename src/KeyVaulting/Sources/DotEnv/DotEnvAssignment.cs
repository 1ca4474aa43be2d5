namespace KeyVaulting.Sources.DotEnv;

/// <summary>The assignment of the variable asked for: its value, the line it starts on, and how it was written.</summary>
/// <param name="Value">The value, quotes removed and escapes applied.</param>
/// <param name="Line">The 1-based line where the assignment starts.</param>
/// <param name="Quote">The quote character (<c>"</c>, <c>'</c> or <c>`</c>), or <c>'\0'</c> for an unquoted value.</param>
internal readonly record struct DotEnvAssignment(string Value, int Line, char Quote);
