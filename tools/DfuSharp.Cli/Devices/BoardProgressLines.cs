using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// The progress of one board in a many-board run, as plain lines on standard error with the board's port path in
/// front: a line when a phase starts and one at every quarter of it (<c>dfusharp: sim-3: write  50% (131072/262144
/// bytes) 120.0 KB/s, 00:01 elapsed</c>). The lines of all boards interleave, so each line says whose it is; a live bar
/// per board would not fit a terminal or a CI log.
/// </summary>
/// <param name="lines">The shared, synchronized writer.</param>
/// <param name="board">The board.</param>
/// <param name="time">The clock.</param>
internal sealed class BoardProgressLines(LineSink lines, UsbDeviceInfo board, TimeProvider time) : IProgress<DfuProgress>
{
    private readonly Lock _gate = new();
    private DfuPhase? _phase;
    private int _lastQuarter = -1;
    private long _started;

    /// <inheritdoc/>
    public void Report(DfuProgress value)
    {
        string line;
        lock (_gate)
        {
            if (_phase != value.Phase)
            {
                _phase = value.Phase;
                _lastQuarter = -1;
                _started = time.GetTimestamp();
            }

            int quarter = value.Total <= 0 ? 4 : (int)Math.Min(4, value.Completed * 4 / value.Total);
            if (quarter <= _lastQuarter)
            {
                return;
            }

            _lastQuarter = quarter;
            line = $"dfusharp: {BoardName(board)}: {CliProgress.PhaseName(value.Phase)}: {quarter * 25,3}% {CliProgress.Amount(value, time.GetElapsedTime(_started))}";
        }

        lines.WriteLine(line);
    }

    /// <summary>How messages name a board of a many-board run: its port path, or its display name without one.</summary>
    public static string BoardName(UsbDeviceInfo board) => board.PortPath.Length > 0 ? board.PortPath : board.DisplayName;
}

/// <summary>A writer that many boards write whole lines to, one line at a time.</summary>
/// <param name="writer">The writer.</param>
internal sealed class LineSink(TextWriter writer)
{
    private readonly Lock _gate = new();

    /// <summary>Writes a line, never interleaved with another.</summary>
    public void WriteLine(string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }
}
