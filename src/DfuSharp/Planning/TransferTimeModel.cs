namespace DfuSharp.Planning;

/// <summary>
/// The expected time of each step of a plan, which weights the overall progress (<see cref="DfuProgress.OverallFraction"/>)
/// and seeds the time left. Pure. The figures are typical, not promises: the tracker scales the time left by how the
/// time measured so far compares with the time expected for it, so a faster or slower device corrects the estimate
/// as it goes. bwPollTimeout is not used as an estimate: it is an upper bound the device may report loosely (ST's F4
/// ROM reports 100 ms for a 1 s sector erase, fwupd#2696), and adaptive pacing waits less.
/// </summary>
internal static class TransferTimeModel
{
    // USB 2.0 full speed (§5.5.4): a control transfer's stages take at least one frame of 1 ms between round trips on
    // a typical host; data moves in 64-byte packets at about 800 KB/s on an otherwise idle bus.
    private static readonly TimeSpan Request = TimeSpan.FromMilliseconds(1);
    private const double BusBytesPerSecond = 800_000;

    // STM32F4 (DS8626, "Flash memory programming"): 16 µs per 32-bit word programmed, 4 µs per byte.
    private const double ProgramSecondsPerByte = 4e-6;

    // STM32F4 (DS8626): sector erase 250 ms for 16 KiB, 550 ms for 64 KiB, 1 s for 128 KiB typical: about 150 ms plus
    // 6.6 ms per KiB. Mass erase 8 s typical at x32 parallelism.
    private static readonly TimeSpan EraseBase = TimeSpan.FromMilliseconds(150);
    private const double EraseSecondsPerByte = 0.0066 / 1024;
    private static readonly TimeSpan MassErase = TimeSpan.FromSeconds(8);

    // A board leaving the bus and enumerating again (detach, reset, re-enumeration): about 1 s on ST's ROMs and the
    // USB 2.0 §7.1.7.3 reset and recovery times.
    private static readonly TimeSpan Reenumeration = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Manifestation = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the expected time of a step.</summary>
    /// <param name="plan">The plan the step belongs to (its block size, and its size for a firmware backup).</param>
    /// <param name="step">The step.</param>
    /// <returns>The expected time; zero for steps that take no device time worth weighting (select, abort, keep).</returns>
    public static TimeSpan Expected(TransferPlan plan, TransferStep step) => step.Kind switch
    {
        TransferStepKind.Write => Request * 2 + Bus(step.Length) + TimeSpan.FromSeconds(step.Length * ProgramSecondsPerByte),
        TransferStepKind.Erase => Request * 2 + EraseBase + TimeSpan.FromSeconds(step.Length * EraseSecondsPerByte),
        TransferStepKind.MassErase => Request * 2 + MassErase,
        TransferStepKind.SetAddress => Request * 2,
        TransferStepKind.Backup or TransferStepKind.Verify or TransferStepKind.Check or TransferStepKind.VerifyFirmware
            => Read(plan, step.Length),
        TransferStepKind.BackupFirmware => Read(plan, plan.WriteBytes),
        TransferStepKind.Manifest => Request * 2 + Manifestation,
        TransferStepKind.DfuSeLeave => Request * 4,
        TransferStepKind.Detach or TransferStepKind.Reenumerate or TransferStepKind.UsbReset or TransferStepKind.ResetAfterManifest => Reenumeration,
        _ => TimeSpan.Zero,
    };

    // Set Address Pointer, DFU_ABORT, one DFU_UPLOAD per block, DFU_ABORT.
    private static TimeSpan Read(TransferPlan plan, long length)
        => Request * (3 + (length + plan.TransferSize - 1) / Math.Max(1, plan.TransferSize)) + Bus(length);

    private static TimeSpan Bus(long bytes) => TimeSpan.FromSeconds(bytes / BusBytesPerSecond);
}
