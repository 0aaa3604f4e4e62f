using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Cli.Json;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>One board of a many-board run, as a command's per-board work sees it.</summary>
/// <param name="Context">The command's context, with standard output and error synchronized between the boards.</param>
/// <param name="Number">The board's place in the run, from 1 (bus order).</param>
/// <param name="Board">The board as the bus listed it.</param>
/// <param name="Provider">The bus.</param>
/// <param name="Selector">The selector that follows this board: the one that found it, narrowed to its port path.</param>
/// <param name="Options">The engine settings (with <c>--timeout</c>).</param>
/// <param name="Progress">Where this board's progress goes.</param>
internal sealed record BoardRun(CliContext Context, int Number, UsbDeviceInfo Board, IUsbDeviceProvider Provider, DfuDeviceSelector Selector, DfuDeviceOptions Options,
    IProgress<DfuProgress> Progress)
{
    /// <summary>Gets how messages name the board: its port path.</summary>
    public string Name => BoardProgressLines.BoardName(Board);

    /// <summary>Opens a session on this board alone.</summary>
    public Task<DfuDevice> OpenAsync(CancellationToken cancellationToken)
        => DfuDevice.OpenAsync(Provider, Selector, Options, cancellationToken);
}

/// <summary>What a board's work produced.</summary>
/// <param name="Result">The command's single-board result (its <c>--json</c> object).</param>
/// <param name="ExitCode">0, or the code of a result that is not a success (a short upload: 65).</param>
/// <param name="Text">The one-line text summary of the board.</param>
internal sealed record BoardOutcome<T>(T Result, int ExitCode, string Text);

/// <summary>
/// Runs one command on many boards at once: every board gets its own session (followed by its port path), its own
/// plan, its own progress line and its own result; a board's failure is caught, reported and counted, and never
/// stops the other boards. At most <see cref="ManyRequest.MaxParallel"/> boards run at a time (all by default). The
/// exit code is 0 only when every board succeeded, otherwise <see cref="ExitCodes.MostSevere"/> of the boards' codes.
/// </summary>
/// <remarks>
/// The runner is generic over the command's result: a command supplies the per-board work (open, plan, execute,
/// return its single-board JSON object and a text line) and the source-generated type of its result, and gets the
/// text, <c>--json</c> (<c>{ "boards": [ … ], "succeeded", "failed" }</c>) and <c>--json-lines</c> outputs for free.
/// </remarks>
internal static class ManyBoards
{
    /// <summary>
    /// Runs <paramref name="work"/> on every board, each with its own session (opened here, on that board alone, and
    /// closed when its work ends), and reports the results.
    /// </summary>
    /// <returns>The exit code of the run.</returns>
    public static async Task<int> RunAsync<T>(
        CliContext context, string command, DeviceBus bus, IReadOnlyList<UsbDeviceInfo> boards, ManyRequest many, bool json,
        Func<BoardRun, DfuDevice, CancellationToken, Task<BoardOutcome<T>>> work, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(boards);
        ArgumentNullException.ThrowIfNull(many);
        ArgumentNullException.ThrowIfNull(work);
        TimeProvider time = context.Devices.TimeProvider;
        CliContext shared = context with { Out = TextWriter.Synchronized(context.Out), Error = TextWriter.Synchronized(context.Error) };
        var output = new LineSink(shared.Out);
        var errors = new LineSink(shared.Error);
        long started = time.GetTimestamp();
        using var gate = new SemaphoreSlim(Math.Min(many.MaxParallel ?? boards.Count, Math.Max(1, boards.Count)));

        async Task<BoardResult<T>> RunBoardAsync(int index, UsbDeviceInfo board)
        {
            IProgress<DfuProgress> progress = many.JsonLines
                ? new JsonLinesProgress(output, command, board, time)
                : new BoardProgressLines(errors, board, time);
            var run = new BoardRun(shared, index + 1, board, bus.Provider, bus.BoardSelector(board), bus.Options, progress);
            BoardResult<T> result;
            bool entered = false;
            try
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                entered = true;
                DfuDevice device = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
                BoardOutcome<T> outcome;
                await using (device.ConfigureAwait(false))
                {
                    outcome = await work(run, device, cancellationToken).ConfigureAwait(false);
                }

                result = new BoardResult<T>(board, outcome.Result, outcome.ExitCode, null, outcome.Text);
            }
            catch (Exception ex)
            {
                // One board's failure is that board's result: the others go on.
                CliError error = CliErrors.Map(ex);
                errors.WriteLine($"dfusharp: {run.Name}: {error.ToJsonMessage()}");
                result = new BoardResult<T>(board, default, error.ExitCode, error.ToJsonMessage(), null);
            }
            finally
            {
                if (entered)
                {
                    gate.Release();
                }
            }

            if (many.JsonLines)
            {
                output.WriteLine(ManyJson.Write(indented: false,
                    w => ManyJson.WriteBoard(w, "result", board.PortPath, board.SerialNumber, result.ExitCode, result.Result, type, result.Error)));
            }

            return result;
        }

        // Each board on a thread-pool thread of its own, so that no board's synchronous work delays another's start.
        BoardResult<T>[] results = await Task.WhenAll(boards.Select((board, index) => Task.Run(() => RunBoardAsync(index, board), CancellationToken.None)))
            .ConfigureAwait(false);
        int exitCode = ExitCodes.MostSevere(results.Select(r => r.ExitCode));
        int succeeded = results.Count(r => r.ExitCode == ExitCodes.Ok);
        int failed = results.Length - succeeded;
        double seconds = Math.Round(time.GetElapsedTime(started).TotalSeconds, 3);
        if (many.JsonLines)
        {
            output.WriteLine(JsonSerializer.Serialize(new BoardsSummaryJson("summary", command, succeeded, failed, exitCode, seconds), CliJson.Lines.BoardsSummaryJson));
        }
        else if (json)
        {
            context.Out.WriteLine(ManyJson.Write(indented: true, w =>
            {
                w.WriteStartObject();
                w.WriteString("command", command);
                w.WriteStartArray("boards");
                foreach (BoardResult<T> r in results)
                {
                    ManyJson.WriteBoard(w, null, r.Board.PortPath, r.Board.SerialNumber, r.ExitCode, r.Result, type, r.Error);
                }

                w.WriteEndArray();
                w.WriteNumber("succeeded", succeeded);
                w.WriteNumber("failed", failed);
                w.WriteNumber("exitCode", exitCode);
                w.WriteNumber("elapsedSeconds", seconds);
                w.WriteEndObject();
            }));
        }
        else
        {
            foreach (BoardResult<T> r in results)
            {
                string name = BoardProgressLines.BoardName(r.Board);
                context.Out.WriteLine(r.Error is null
                    ? $"{name}: {r.Text}" + (r.ExitCode != ExitCodes.Ok ? $" (exit {r.ExitCode})" : string.Empty)
                    : $"{name}: failed (exit {r.ExitCode}): {r.Error}");
            }

            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{command}: {results.Length} board(s), {succeeded} succeeded, {failed} failed in {seconds:0.00} s."));
        }

        return exitCode;
    }

    private sealed record BoardResult<TResult>(UsbDeviceInfo Board, TResult? Result, int ExitCode, string? Error, string? Text);
}
