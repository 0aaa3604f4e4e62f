namespace DfuSharp.Usb;

/// <summary>
/// Finds and opens USB devices: the libusb provider for real hardware, the simulated bus for tests.
/// </summary>
public interface IUsbDeviceProvider
{
    /// <summary>Lists the devices present now.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices, in a stable order (bus, then port path).</returns>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens a device found by <see cref="EnumerateAsync"/>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>An open transport; the caller disposes it.</returns>
    /// <exception cref="UsbTransportException">The device could not be opened (gone, no access, busy).</exception>
    ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until a device that satisfies <paramref name="match"/> is present, using hotplug events where the platform
    /// has them and polling where it does not.
    /// </summary>
    /// <param name="match">Which device to wait for (for example: the same serial and port path, now in DFU mode).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The device.</returns>
    /// <exception cref="DfuReenumerationTimeoutException">No such device appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<UsbDeviceInfo> WaitForDeviceAsync(Func<UsbDeviceInfo, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default);
}
