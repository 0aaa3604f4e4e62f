using System.Text.Json;

using DfuSharp.Cli.Json;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// The <c>--json-lines</c> progress of one board: one <see cref="BoardPhaseJson"/> line on standard output each time the
/// board enters a phase (not per block: a dashboard wants the phase changes, and a line per block would flood the
/// pipe). The board's result line and the summary line are written by <see cref="ManyBoards"/>.
/// </summary>
/// <param name="lines">The shared, synchronized standard output.</param>
/// <param name="command">The command name.</param>
/// <param name="board">The board.</param>
/// <param name="time">The clock.</param>
internal sealed class JsonLinesProgress(LineSink lines, string command, UsbDeviceInfo board, TimeProvider time) : IProgress<DfuProgress>
{
    private readonly Lock _gate = new();
    private readonly long _started = time.GetTimestamp();
    private DfuPhase? _phase;

    /// <inheritdoc/>
    public void Report(DfuProgress value)
    {
        BoardPhaseJson phase;
        lock (_gate)
        {
            if (_phase == value.Phase)
            {
                return;
            }

            _phase = value.Phase;
            phase = new BoardPhaseJson("phase", command, board.PortPath, board.SerialNumber, CliProgress.PhaseName(value.Phase),
                value.Completed, value.Total, UnitName(value.Unit), Math.Round(time.GetElapsedTime(_started).TotalSeconds, 3));
        }

        lines.WriteLine(JsonSerializer.Serialize(phase, CliJson.Lines.BoardPhaseJson));
    }

    private static string UnitName(DfuProgressUnit unit) => unit switch
    {
        DfuProgressUnit.Bytes => "bytes",
        DfuProgressUnit.Sectors => "sectors",
        _ => "steps",
    };
}
