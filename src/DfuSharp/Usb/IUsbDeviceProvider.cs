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

    /// <summary>Gets the clock the provider waits on (a virtual one in tests).</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Waits until a device may have arrived since the previous wait returned (a hotplug event where the platform has
    /// them), or until <paramref name="timeout"/> or the provider's own recheck interval has passed. It never throws
    /// for a device that does not come: deciding that is the caller's (see
    /// <see cref="UsbDeviceProviderExtensions.WaitForDeviceAsync"/>).
    /// </summary>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when it is worth listing the devices again.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
