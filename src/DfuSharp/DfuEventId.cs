namespace DfuSharp;

/// <summary>
/// The event ids DfuSharp logs with, in ranges by purpose, so a log filter can pick a layer.
/// 1000–1099 wire traffic (Trace), 1100–1199 state changes and pacing (Debug), 1200–1299 operations (Information),
/// 1300–1399 quirks and recoveries (Warning).
/// </summary>
public static class DfuEventId
{
    /// <summary>A SETUP packet was sent.</summary>
    public const int SetupPacket = 1000;

    /// <summary>A GETSTATUS reply arrived (status bytes).</summary>
    public const int StatusBytes = 1001;

    /// <summary>The device changed state.</summary>
    public const int StateChanged = 1100;

    /// <summary>The host waits bwPollTimeout before the next GETSTATUS.</summary>
    public const int PollWait = 1101;

    /// <summary>The session recovered the device to dfuIDLE.</summary>
    public const int SessionIdle = 1102;

    /// <summary>A device was opened.</summary>
    public const int DeviceOpened = 1200;

    /// <summary>An operation started.</summary>
    public const int OperationStarted = 1201;

    /// <summary>An operation finished.</summary>
    public const int OperationFinished = 1202;

    /// <summary>The device re-enumerated.</summary>
    public const int Reenumerated = 1203;

    /// <summary>A HID application was sent ST's DETACH report.</summary>
    public const int HidDetach = 1204;

    /// <summary>The host recovered the device after an error or a cancellation.</summary>
    public const int Recovery = 1301;

    /// <summary>A device that is not manifestation tolerant stopped answering during manifestation.</summary>
    public const int ManifestSilent = 1302;

    /// <summary>DFU_CLRSTATUS after a status error failed.</summary>
    public const int ClearStatusFailed = 1303;

    /// <summary>The iString of a status error could not be read.</summary>
    public const int StatusTextUnreadable = 1304;

    /// <summary>Recovery to dfuIDLE failed; the original error is reported.</summary>
    public const int RecoveryFailed = 1305;

    /// <summary>The device stayed in DFU mode after Read Unprotect instead of resetting.</summary>
    public const int StayedAfterUnprotect = 1306;

    /// <summary>A file-versus-device check noticed something it does not refuse (a bcdDevice that differs, a forced mismatch).</summary>
    public const int PlanWarning = 1307;

    /// <summary>Adaptive pacing fell back to bwPollTimeout waits after an early GETSTATUS failed.</summary>
    public const int PacingFallback = 1308;

    /// <summary>Quirk applied: a mass erase's GETSTATUS gets the slow timeout (<see cref="DfuQuirk.MassEraseOutlastsPollTimeout"/>).</summary>
    public const int QuirkMassErase = 1310;

    /// <summary>Quirk applied: the session started in dfuERROR and was cleared (<see cref="DfuQuirk.StartsInDfuError"/>).</summary>
    public const int QuirkStartedInError = 1311;

    /// <summary>Quirk applied: a DFU-mode interface with bInterfaceProtocol 0 (<see cref="DfuQuirk.DfuModeProtocolZero"/>).</summary>
    public const int QuirkProtocolZero = 1312;

    /// <summary>Quirk applied: a DfuSe layout with a trailing '/' (<see cref="DfuQuirk.LayoutTrailingSlash"/>).</summary>
    public const int QuirkLayoutTrailingSlash = 1313;

    /// <summary>Quirk applied: a sector erase stuck in dfuDNBUSY was freed with two DFU_CLRSTATUS
    /// (<see cref="DfuQuirk.StuckBusyNeedsTwoClearStatus"/>).</summary>
    public const int QuirkStuckErase = 1314;
}
