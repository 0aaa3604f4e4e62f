using DfuSharp.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfuSharp;

/// <summary>Session-wide settings of a <see cref="DfuDevice"/>.</summary>
public sealed record DfuDeviceOptions
{
    /// <summary>Gets the clock used for poll waits and timeouts (a virtual one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets where to log.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Gets the timeout of an ordinary control transfer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the timeout of a GETSTATUS that may be held while the device erases
    /// (STM32F405 reports a short poll timeout for a mass erase that takes up to 32 s).</summary>
    public TimeSpan SlowRequestTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Gets the longest bwPollTimeout accepted; a device asking for more breaks the protocol (DfuProtocolException).</summary>
    public TimeSpan MaxPollTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the longest a device may stay busy (the sum of its poll timeouts) for one request.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets how long to wait for a device to come back after detach or reset.</summary>
    public TimeSpan ReenumerationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets a transfer size that overrides wTransferSize, or <see langword="null"/>.</summary>
    public int? TransferSize { get; init; }
}

/// <summary>Options of <c>DfuDevice.DownloadAsync</c> and <c>DfuDevice.PlanDownload</c>.</summary>
public sealed record DownloadOptions
{
    /// <summary>Gets a value indicating whether to read everything back and compare.</summary>
    public bool Verify { get; init; }

    /// <summary>Gets a value indicating whether the device leaves DFU mode at the end: DfuSe jumps to
    /// <see cref="LeaveAddress"/>; a plain DFU device is reset (DFU 1.1 §7) so that it runs the new firmware.</summary>
    public bool Leave { get; init; }

    /// <summary>Gets the DfuSe jump address for <see cref="Leave"/>; the start of the first segment when <see langword="null"/>.</summary>
    public uint? LeaveAddress { get; init; }

    /// <summary>Gets the address at which a plain (non-DfuSe) file goes on a DfuSe device.</summary>
    public uint? Address { get; init; }

    /// <summary>Gets the alternate setting a plain file goes to; the open one when <see langword="null"/>.</summary>
    public byte? AlternateSetting { get; init; }

    /// <summary>Gets how a DfuSe download erases.</summary>
    public DfuSeEraseMode Erase { get; init; } = DfuSeEraseMode.Sectors;

    /// <summary>Gets how a DfuSe download sets the address pointer; when <see langword="null"/>,
    /// <see cref="DfuAddressing.AddressOnce"/> on a device whose <see cref="DfuQuirks"/> entry says it computes the
    /// address from wBlockNum, else <see cref="DfuAddressing.PerChunk"/>. A block size other than the device's
    /// wTransferSize always gets one per chunk.</summary>
    public DfuAddressing? Addressing { get; init; }

    /// <summary>Gets how GETSTATUS is paced while the device is busy; <see cref="DfuPacing.Adaptive"/> when
    /// <see langword="null"/>, starting with no wait on a device whose <see cref="DfuQuirks"/> entry says it holds GETSTATUS.</summary>
    public DfuPacing? Pacing { get; init; }

    /// <summary>Gets a value indicating whether to write a file whose VID/PID or DfuSe target names do not match the
    /// device. It never overrides the file kind, the memory layout, sectors that are not writable, overlapping data or
    /// the consent rules (<see cref="AllowOptionBytes"/>, <see cref="AllowIrreversible"/>).</summary>
    public bool Force { get; init; }

    /// <summary>Gets a value indicating whether the download may write option bytes (an alternate setting whose DfuSe
    /// name says "Option Bytes" or "Device Feature").</summary>
    public bool AllowOptionBytes { get; init; }

    /// <summary>Gets a value indicating whether the download may write memory that cannot be restored: OTP, or option
    /// bytes that set read protection level 2 on a part whose option-byte layout is known.</summary>
    public bool AllowIrreversible { get; init; }

    /// <summary>
    /// Gets a value indicating whether sectors that already hold what the download would leave in them are left alone.
    /// The plan gets a read pass (<see cref="Planning.TransferPlan.Check"/>) over every readable sector it would erase;
    /// before anything is erased, <see cref="Planning.TransferPlanner.ApplyReadBack"/> drops the erase and the writes of
    /// each sector whose content equals its content after the download: the image's bytes where the image has data, and
    /// the erased value 0xFF everywhere else in the sector (the erase would clear the gaps). A sector that could not be
    /// read in full is kept in the plan. DfuSe offers no checksum command (ST AN3156 §6.3 lists Get Commands, Set Address
    /// Pointer, Erase and Read Unprotect), so the check reads the data back. Verification still reads back the whole image. DfuSe with sector erase only:
    /// with a mass erase, no erase, or plain DFU it changes nothing and the plan says so in its warnings.
    /// </summary>
    public bool SkipUnchanged { get; init; }

    /// <summary>Gets a value indicating whether a plain DFU device that is not manifestation tolerant is reset after
    /// manifestation (DFU 1.1 §7: it waits in dfuMANIFEST-WAIT-RESET).</summary>
    public bool ResetAfterManifest { get; init; } = true;

    /// <summary>
    /// Gets a callback that receives the backup, read before anything is erased or written: for DfuSe, every byte of
    /// every sector the plan erases or overwrites, one element per contiguous range, so that downloading it restores the
    /// board byte for byte; for plain DFU, the whole firmware. The download goes on only after the callback completes;
    /// if it throws, nothing is written.
    /// </summary>
    public Func<Formats.DfuFile, CancellationToken, ValueTask>? Backup { get; init; }
}

/// <summary>Options of <see cref="DfuDevice.UploadAsync"/>.</summary>
public sealed record UploadOptions
{
    /// <summary>Gets the number of bytes to read; for plain DFU, until a short frame when <see langword="null"/>;
    /// for DfuSe, to the end of the region that holds <see cref="Address"/>.</summary>
    public long? Length { get; init; }

    /// <summary>Gets the DfuSe address to read from; the start of the layout when <see langword="null"/>.</summary>
    public uint? Address { get; init; }

    /// <summary>Gets the alternate setting to read; the open one when <see langword="null"/>.</summary>
    public byte? AlternateSetting { get; init; }

    /// <summary>Gets the most bytes a plain DFU upload without a length reads before it gives up (a device that never
    /// sends a short frame).</summary>
    public long MaxLength { get; init; } = 64L * 1024 * 1024;
}

/// <summary>How leaving DFU mode ended.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DfuLeaveOutcome>))]
public enum DfuLeaveOutcome
{
    /// <summary>The device confirmed dfuMANIFEST and then went away, as ST AN3156 describes.</summary>
    Left,

    /// <summary>The device disconnected when told to leave, before it answered: it left.</summary>
    Disconnected,

    /// <summary>The device was reset by the host (DFU 1.1 dfuMANIFEST-WAIT-RESET).</summary>
    Reset,

    /// <summary>The device stayed in DFU mode (manifestation tolerant, no leave asked).</summary>
    StayedInDfuMode,
}

/// <summary>The outcome of <c>DfuDevice.DownloadAsync</c>.</summary>
/// <param name="Plan">The plan that ran.</param>
/// <param name="Verified">Whether everything was read back and matched.</param>
/// <param name="Outcome">How the device ended up.</param>
public sealed record DownloadResult(TransferPlan Plan, bool Verified, DfuLeaveOutcome Outcome)
{
    /// <summary>Gets the number of control transfers the download made.</summary>
    public long ControlTransfers { get; init; }

    /// <summary>Gets how long the download took, on the device's clock (<see cref="DfuDeviceOptions.TimeProvider"/>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the pacing in use when the download ended: the plan's, or <see cref="DfuPacing.Spec"/> after an
    /// adaptive session fell back.</summary>
    public DfuPacing PacingUsed { get; init; }

    /// <summary>Gets the bytes written per second of <see cref="Elapsed"/>; 0 when no time passed.</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? Plan.WriteBytes / Elapsed.TotalSeconds : 0;

    /// <summary>Returns a one-line summary of what ran and how the device ended up.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
        => $"{Plan}; {(Verified ? "verified" : "not verified")}; {Outcome}; {BytesPerSecond / 1024:0.0} KB/s, pacing {PacingUsed.ToString().ToLowerInvariant()}";
}
