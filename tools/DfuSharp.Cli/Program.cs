namespace DfuSharp.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // The first Ctrl+C cancels the running command, which stops cleanly (exit 130); a second one kills the process.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };

        return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
    }
}
