namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// The process exit codes of <c>dfusharp</c>. They follow BSD sysexits.h so that scripts and CI rigs can tell a bad
/// command line from a bad file, a missing device or a device fault; dfu-util's tools use the same values. Each is
/// the value of a <see cref="DfuErrorCategory"/>, which the library's exceptions carry: there is one table.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>EX_USAGE: the command line is wrong (unknown option, missing argument, malformed number).</summary>
    public const int Usage = (int)DfuErrorCategory.Usage;

    /// <summary>EX_DATAERR: an input file is malformed, or does not fit the operation (a suffix where none may be).</summary>
    public const int DataError = (int)DfuErrorCategory.Data;

    /// <summary>EX_NOINPUT: an input file does not exist or cannot be read.</summary>
    public const int NoInput = (int)DfuErrorCategory.NoInput;

    /// <summary>EX_UNAVAILABLE: no matching device was found.</summary>
    public const int NoDevice = (int)DfuErrorCategory.NoDevice;

    /// <summary>EX_CANTCREAT: an output file cannot be created (missing folder, no permission).</summary>
    public const int CannotCreate = (int)DfuErrorCategory.CannotCreate;

    /// <summary>EX_IOERR: reading or writing failed part-way (disk full, device gone, USB transfer failed).</summary>
    public const int IOError = (int)DfuErrorCategory.IO;

    /// <summary>EX_TEMPFAIL: the device did not re-enumerate in time after a detach or reset.</summary>
    public const int ReenumerationTimeout = (int)DfuErrorCategory.TemporaryFailure;

    /// <summary>EX_PROTOCOL: the device broke the DFU protocol or reported an error status.</summary>
    public const int Protocol = (int)DfuErrorCategory.Protocol;

    /// <summary>EX_SOFTWARE: a defect in dfusharp itself; please report it.</summary>
    public const int Software = (int)DfuErrorCategory.Software;

    /// <summary>128 + SIGINT: the operation was cancelled (Ctrl+C).</summary>
    public const int Cancelled = (int)DfuErrorCategory.Cancelled;

    /// <summary>
    /// EX_TEMPFAIL for a resource held by another process: the <c>--sim-state</c> file stayed locked by another
    /// dfusharp for longer than the wait allows.
    /// </summary>
    public const int Busy = (int)DfuErrorCategory.TemporaryFailure;

    /// <summary>What a signal adds its number to: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.</summary>
    public const int SignalBase = 128;

    // Most severe first: see MostSevere.
    private static readonly int[] s_severity = [Cancelled, Software, Protocol, IOError, DataError, ReenumerationTimeout, NoDevice, CannotCreate, NoInput, Usage];

    /// <summary>
    /// The exit code of a run on many boards: 0 when every board succeeded, otherwise the most severe code any board
    /// ended with. Most severe first: 130 (the run was cancelled: the user stopped it), 70 (a defect in dfusharp),
    /// 76 (a device broke the protocol or reported an error: its memory may be half-written), 74 (a transfer failed
    /// part-way), 65 (data: a verify difference, a short read, a file that does not fit), 75 (a board did not come back
    /// in time), 69 (a board vanished), 73 and 66 (an output or input file), 64 (usage: nothing was sent to that board).
    /// The order puts what may have left a board in an unknown state before what left it untouched. Any other non-zero
    /// code ranks after these, the larger first.
    /// </summary>
    /// <param name="codes">The exit code of each board.</param>
    /// <returns>The exit code of the run.</returns>
    public static int MostSevere(IEnumerable<int> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        int worst = Ok;
        foreach (int code in codes)
        {
            if (code != Ok && (worst == Ok || Rank(code) < Rank(worst) || (Rank(code) == Rank(worst) && code > worst)))
            {
                worst = code;
            }
        }

        return worst;
    }

    private static int Rank(int code) => Array.IndexOf(s_severity, code) is int rank and >= 0 ? rank : s_severity.Length;
}
