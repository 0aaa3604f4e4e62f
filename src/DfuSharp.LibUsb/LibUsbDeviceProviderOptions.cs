namespace DfuSharp.LibUsb;

/// <summary>Options of <see cref="LibUsbDeviceProvider"/>.</summary>
public sealed record LibUsbDeviceProviderOptions
{
    /// <summary>
    /// Gets how often the bus is listed again while waiting for a device where libusb has no hotplug events
    /// (Windows). Default 100 ms.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets how often the bus is listed again while waiting even with hotplug events, to catch a device whose
    /// strings could not be read at the moment it arrived (udev still applying permissions). Default 500 ms.
    /// </summary>
    public TimeSpan HotplugRecheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets a value indicating whether hotplug events are used where libusb has them. Default <see langword="true"/>.</summary>
    public bool UseHotplug { get; init; } = true;

    /// <summary>
    /// Gets libusb's own log level (0 none, 1 error, 2 warning, 3 info, 4 debug), or <see langword="null"/> to leave
    /// it to libusb (which also honours the LIBUSB_DEBUG environment variable).
    /// </summary>
    public int? LibUsbLogLevel { get; init; }
}
