using DfuSharp.Cli.Infrastructure;

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

        bool interactive = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        var context = new CliContext(Console.Out, Console.Error, interactive);
        return await CliApp.RunAsync(args, context, cancellation.Token).ConfigureAwait(false);
    }
}
