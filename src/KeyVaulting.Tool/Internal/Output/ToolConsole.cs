using Spectre.Console;

namespace KeyVaulting.Tool.Internal.Output;

/// <summary>
/// The tool's output: colour and progress on a terminal, plain text when redirected (CI logs, tests), and nothing
/// but the JSON document on standard output with <c>--json</c>.
/// </summary>
internal sealed class ToolConsole
{
    private ToolConsole(IAnsiConsole output, IAnsiConsole error, bool json)
    {
        Out = output;
        Error = error;
        Json = json;
    }

    /// <summary>Gets standard output.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Gets standard error.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Gets a value indicating whether standard output carries JSON only.</summary>
    public bool Json { get; }

    /// <summary>Gets a value indicating whether a person watches: standard output is a terminal and not JSON.</summary>
    public bool Interactive => !Json && !Console.IsOutputRedirected;

    public static ToolConsole Create(bool json)
    {
        return new ToolConsole(Create(Console.Out, Console.IsOutputRedirected), Create(Console.Error, Console.IsErrorRedirected), json);

        static IAnsiConsole Create(TextWriter writer, bool redirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            });

            if (redirected)
            {
                // A log is read by grep, not on a screen: one finding per line, not wrapped at 80 columns.
                console.Profile.Width = 4096;
            }

            return console;
        }
    }

    /// <summary>Runs <paramref name="work"/> with a spinner that shows its current step on a terminal; silently otherwise.</summary>
    public async Task<T> WithProgressAsync<T>(string first, Func<Action<string>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(static _ => { }).ConfigureAwait(false);
        }

        return await Out.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(first), async context =>
            await work(step => context.Status(Markup.Escape(step) + "…")).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Writes an error line to standard error: red on a terminal.</summary>
    public void WriteError(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
}
