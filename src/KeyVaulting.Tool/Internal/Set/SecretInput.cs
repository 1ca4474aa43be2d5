using System.Text;

namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Reads a key from standard input and never from an argument (which would land in the shell's history and in the
/// process list): piped input is read whole and trimmed; at a terminal, the key is typed or pasted without echo.
/// </summary>
internal static class SecretInput
{
    /// <summary>The longest input accepted: keys are about 160 characters.</summary>
    private const int MaxLength = 4096;

    public static string Read(TextWriter prompt)
    {
        if (Console.IsInputRedirected)
        {
            var buffer = new char[MaxLength + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = Console.In.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += n;
            }

            if (read > MaxLength)
            {
                throw new ToolUsageException($"Standard input has more than {MaxLength} characters: pipe the key alone.");
            }

            return new string(buffer, 0, read).Trim();
        }

        prompt.Write("OpenAI API key (input hidden, Enter to finish): ");
        var key = new StringBuilder();
        while (true)
        {
            var info = Console.ReadKey(intercept: true);
            if (info.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (info.Key == ConsoleKey.Backspace)
            {
                if (key.Length > 0)
                {
                    key.Length--;
                }

                continue;
            }

            if (!char.IsControl(info.KeyChar) && key.Length < MaxLength)
            {
                key.Append(info.KeyChar);
            }
        }

        prompt.WriteLine();
        return key.ToString().Trim();
    }
}
