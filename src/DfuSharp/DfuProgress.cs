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

/// <summary>A progress report, sent once per block or sector.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Completed">How much of the phase is done.</param>
/// <param name="Total">How much the phase has in all.</param>
/// <param name="Unit">What the counts count.</param>
public readonly record struct DfuProgress(DfuPhase Phase, long Completed, long Total, DfuProgressUnit Unit);
