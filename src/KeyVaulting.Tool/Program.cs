using System.CommandLine;
using KeyVaulting.Tool;
using KeyVaulting.Tool.Commands;

var time = TimeProvider.System;
var root = new RootCommand("keyvaulting: which OpenAI key does my application get, from where, and is any key where it must not be? Docs: https://github.com/keyvaulting/keyvaulting/blob/main/docs/tool.md");
root.Subcommands.Add(DoctorCommand.Create(time));
root.Subcommands.Add(SetCommand.Create(time));
root.Subcommands.Add(RotateCommand.Create(revokeNow: false));
root.Subcommands.Add(RotateCommand.Create(revokeNow: true));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        // An unexpected argument is echoed by the parser: a key typed as an argument must not be shown again.
        Console.Error.WriteLine("error: " + SecretShapes.Mask(error.Message));
    }

    Console.Error.WriteLine("Run 'keyvaulting --help' for the commands and their options. A key is never an argument: set reads it from standard input.");
    return ExitCodes.UsageError;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
