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

    /// <summary>A quirk was applied or a device misbehaved in a tolerated way.</summary>
    public const int Quirk = 1300;

    /// <summary>The host recovered the device after an error or a cancellation.</summary>
    public const int Recovery = 1301;
}
