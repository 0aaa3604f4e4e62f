namespace DfuSharp.Usb;

/// <summary>What happened to a device on the bus.</summary>
public enum UsbDeviceChangeKind
{
    /// <summary>The device is on the bus (it was plugged in, re-enumerated, or was present when the watch started).</summary>
    Arrived,

    /// <summary>The device left the bus (it was unplugged, detached, reset or re-enumerated).</summary>
    Left,
}

/// <summary>One change seen by <see cref="IUsbDeviceProvider.WatchAsync"/>.</summary>
/// <param name="Kind">Arrived or left.</param>
/// <param name="Device">The device as it was listed when it arrived (for <see cref="UsbDeviceChangeKind.Left"/>: as it
/// was last listed).</param>
public sealed record UsbDeviceChange(UsbDeviceChangeKind Kind, UsbDeviceInfo Device);
