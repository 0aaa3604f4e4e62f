namespace DfuSharp;

/// <summary>
/// What kind of failure an exception of DfuSharp reports, so that a program embedding the libraries can react to it
/// (and map it to an exit code) the way <c>dfusharp</c> does. Each value is the BSD sysexits.h code <c>dfusharp</c>
/// exits with for that kind: <c>(int)category</c> is the exit code.
/// </summary>
/// <remarks>
/// <see cref="Formats.DfuFormatException"/> carries a category too, so the type lives in DfuSharp.Formats, the
/// assembly every other one references. docs/errors.md maps ST's DfuSe demo (<c>STDFU_*</c>) error codes onto these
/// categories.
/// </remarks>
public enum DfuErrorCategory
{
    /// <summary>EX_USAGE (64): the request was wrong: a bad option, a consent the operation needs, or a selector that matches more than one device.</summary>
    Usage = 64,

    /// <summary>EX_DATAERR (65): a firmware file is malformed, or does not fit the device or the operation.</summary>
    Data = 65,

    /// <summary>EX_NOINPUT (66): an input file does not exist or cannot be read.</summary>
    NoInput = 66,

    /// <summary>EX_UNAVAILABLE (69): no matching device was found, or the USB library cannot be used.</summary>
    NoDevice = 69,

    /// <summary>EX_SOFTWARE (70): a defect in DfuSharp itself.</summary>
    Software = 70,

    /// <summary>EX_CANTCREAT (73): an output file cannot be created.</summary>
    CannotCreate = 73,

    /// <summary>EX_IOERR (74): a USB transfer or a file write failed part-way (device gone, cable, disk full).</summary>
    IO = 74,

    /// <summary>EX_TEMPFAIL (75): something did not happen in time and may on a retry: the device did not re-enumerate, or a resource stayed busy.</summary>
    TemporaryFailure = 75,

    /// <summary>EX_PROTOCOL (76): the device reported an error status, stalled a request, or broke the DFU protocol.</summary>
    Protocol = 76,

    /// <summary>128 + SIGINT (130): the operation was cancelled.</summary>
    Cancelled = 130,
}
