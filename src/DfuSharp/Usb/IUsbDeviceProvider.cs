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

    /// <summary>
    /// Watches the bus: first yields <see cref="UsbDeviceChangeKind.Arrived"/> for each device present now, then each
    /// arrival and departure as it happens. A device that re-enumerates (a detach, a reset, a DfuSe leave) leaves and
    /// arrives again, usually with another address and in another mode. The enumeration ends only by cancellation.
    /// </summary>
    /// <remarks>
    /// The default lists the bus again whenever <see cref="WaitForArrivalAsync"/> returns, with a 100 ms limit: at once
    /// on a hotplug event, every 100 ms where the platform has none. Providers may watch in their own way.
    /// </remarks>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>The changes, in the order they were seen.</returns>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    IAsyncEnumerable<UsbDeviceChange> WatchAsync(CancellationToken cancellationToken = default)
        => this.WatchByListingAsync(ct => WaitForArrivalAsync(UsbDeviceProviderExtensions.DefaultWatchInterval, ct), cancellationToken);
}
