using KeyVaulting.Samples.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return args switch
    {
        [] => await OfflineDemo.RunAsync(Console.Out, cancel.Token),
        ["--live", ..] => await LiveRun.RunAsync(args[1..], Console.Out, Console.Error, cancel.Token),
        ["--source", var store] => SourceExamples.Show(store, Console.Out, Console.Error),
        _ => Usage(),
    };
}
catch (DemoFailedException ex)
{
    Console.Error.WriteLine($"Unexpected: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}

static int Usage()
{
    Console.Error.WriteLine("""
        Usage:
          dotnet run --project samples/KeyVaulting.Samples.Console                   offline demo (no network, fake keys)
          dotnet run --project samples/KeyVaulting.Samples.Console -- --live         against the real API (OPENAI_API_KEY or .env)
          dotnet run --project samples/KeyVaulting.Samples.Console -- --source env|dotenv|azure|aws|vault
        """);
    return 1;
}
