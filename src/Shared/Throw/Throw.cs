using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KeyVaulting.Shared;

/// <summary>
/// Argument guards for public entry points. Compiled into every package from src/Shared (see src/Directory.Build.props),
/// as dotnet/extensions does with its Throw helper.
/// </summary>
internal static class Throw
{
    public static T IfNull<T>([NotNull] T? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        where T : class
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }

        return argument;
    }

    public static string IfNullOrWhiteSpace([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }

        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new ArgumentException("The value cannot be empty or consist only of white-space characters.", paramName);
        }

        return argument;
    }
}
