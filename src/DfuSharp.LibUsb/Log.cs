using Microsoft.Extensions.Logging;

namespace DfuSharp.LibUsb;

/// <summary>
/// Event ids of this assembly: the ranges of <see cref="DfuEventId"/> (10xx Trace wire traffic, 11xx Debug,
/// 13xx Warning quirks), from xx50 upwards so that they never collide with the engine's.
/// </summary>
internal static class LibUsbEventId
{
    public const int ControlTransfer = 1050;
    public const int LibraryLoaded = 1150;
    public const int DeviceOpened = 1151;
    public const int DeviceClosed = 1152;
    public const int DeviceReset = 1153;
    public const int StringsUnreadable = 1154;
    public const int WaitingForDevice = 1155;
    public const int KernelDriverDetach = 1156;
    public const int Utf8String = 1350;
    public const int FunctionalDescriptorRequested = 1351;
}

/// <summary>The log messages of DfuSharp.LibUsb.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = LibUsbEventId.LibraryLoaded, Level = LogLevel.Debug, Message = "libusb {Version} loaded; hotplug {Hotplug}")]
    internal static partial void LibraryLoaded(ILogger logger, LibUsbVersion version, bool hotplug);

    [LoggerMessage(EventId = LibUsbEventId.DeviceOpened, Level = LogLevel.Debug, Message = "Opened {Device}")]
    internal static partial void DeviceOpened(ILogger logger, string device);

    [LoggerMessage(EventId = LibUsbEventId.DeviceClosed, Level = LogLevel.Debug, Message = "Closed {Device}")]
    internal static partial void DeviceClosed(ILogger logger, string device);

    [LoggerMessage(EventId = LibUsbEventId.ControlTransfer, Level = LogLevel.Trace, Message = "SETUP {Setup} -> {Result}")]
    internal static partial void ControlTransfer(ILogger logger, DfuSharp.Usb.UsbSetupPacket setup, int result);

    [LoggerMessage(EventId = LibUsbEventId.DeviceReset, Level = LogLevel.Debug, Message = "Reset {Device}: {Outcome}")]
    internal static partial void DeviceReset(ILogger logger, string device, string outcome);

    [LoggerMessage(EventId = LibUsbEventId.StringsUnreadable, Level = LogLevel.Debug, Message = "Could not read the strings of {Device}: {Reason}")]
    internal static partial void StringsUnreadable(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = LibUsbEventId.Utf8String, Level = LogLevel.Warning, Message = "{Device} sent string {Index} as UTF-8 instead of UTF-16 (DfuQuirk.Utf8Strings: GD32VF103, dfu-util quirks.h QUIRK_UTF8_SERIAL); decoded as UTF-8")]
    internal static partial void Utf8String(ILogger logger, string device, byte index);

    [LoggerMessage(EventId = LibUsbEventId.FunctionalDescriptorRequested, Level = LogLevel.Warning, Message = "{Device} has no DFU functional descriptor in its configuration; asked for it with GET_DESCRIPTOR 0x21")]
    internal static partial void FunctionalDescriptorRequested(ILogger logger, string device);

    [LoggerMessage(EventId = LibUsbEventId.WaitingForDevice, Level = LogLevel.Debug, Message = "Waiting up to {TimeoutMs} ms for a device ({Mechanism})")]
    internal static partial void WaitingForDevice(ILogger logger, long timeoutMs, string mechanism);

    [LoggerMessage(EventId = LibUsbEventId.KernelDriverDetach, Level = LogLevel.Debug, Message = "Kernel driver auto-detach on {Device}: {Outcome}")]
    internal static partial void KernelDriverDetach(ILogger logger, string device, string outcome);
}
