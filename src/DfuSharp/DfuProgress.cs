using DfuSharp.Planning;

namespace DfuSharp;

/// <summary>The phase of an operation, for progress reports.</summary>
public enum DfuPhase
{
    /// <summary>Switching from run-time mode to DFU mode, or waiting for re-enumeration.</summary>
    Detach,

    /// <summary>Erasing sectors (DfuSe).</summary>
    Erase,

    /// <summary>Sending firmware (host → device).</summary>
    Download,

    /// <summary>Reading back what was written and comparing.</summary>
    Verify,

    /// <summary>Reading firmware (device → host), including a backup before a download.</summary>
    Upload,

    /// <summary>Manifestation after a plain DFU download (DFU 1.1 §7).</summary>
    Manifest,

    /// <summary>Leaving DFU mode (DfuSe).</summary>
    Leave,

    /// <summary>Reading back the sectors a download would erase, to leave alone those that already hold the new
    /// content (<see cref="DownloadOptions.SkipUnchanged"/>).</summary>
    Check,
}

/// <summary>What <see cref="DfuProgress.Completed"/> and <see cref="DfuProgress.Total"/> count.</summary>
public enum DfuProgressUnit
{
    /// <summary>Bytes.</summary>
    Bytes,

    /// <summary>Sectors (erase).</summary>
    Sectors,

    /// <summary>Steps without a natural size (detach, manifest, leave): 0 of 1, then 1 of 1.</summary>
    Steps,
}

/// <summary>
/// A progress report, sent once per block or sector: the phase's own counts, and the whole operation's fraction, rate
/// and time left.
/// </summary>
/// <remarks>
/// The overall figures are computed in one place, the executor's progress tracker, from the plan: each step is
/// weighted by its expected time (see <c>docs/architecture.md</c>, "Progress": bus time of the bytes it moves, request
/// round trips, programming time per byte, erase time per sector size from the STM32F4 datasheet), so a 1 s sector
/// erase counts as much as the hundred blocks written meanwhile would. Reports that are not part of a planned
/// operation (an upload, a DfuSe erase command, a detach) count their own phase as the whole.
/// </remarks>
/// <param name="Phase">The phase.</param>
/// <param name="Completed">How much of the phase is done.</param>
/// <param name="Total">How much the phase has in all.</param>
/// <param name="Unit">What the counts count.</param>
public readonly record struct DfuProgress(DfuPhase Phase, long Completed, long Total, DfuProgressUnit Unit)
{
    /// <summary>Gets how much of the whole operation is done, from 0 to 1, across every planned phase (check, backup,
    /// erase, download, manifest, verify, leave) weighted by expected time; it never goes back.</summary>
    public double OverallFraction { get; init; }

    /// <summary>Gets the bytes moved over the bus (written and read) per second since the operation started, on the
    /// session's clock; 0 before any time has passed.</summary>
    public double BytesPerSecond { get; init; }

    /// <summary>Gets the estimated time left for the whole operation: the expected time of what remains, scaled by how
    /// the time spent so far compares with the time expected for what is done; <see langword="null"/> until something
    /// is done.</summary>
    public TimeSpan? TimeLeft { get; init; }

    /// <summary>Gets the pacing of GETSTATUS in use (the plan's, or <see cref="DfuPacing.Spec"/> after an adaptive
    /// session fell back); <see langword="null"/> outside a planned download.</summary>
    public DfuPacing? Pacing { get; init; }
}
