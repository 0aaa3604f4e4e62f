namespace DfuSharp.Usb;

/// <summary>The wait for a device to (re)appear, in the core: the provider lists and signals arrivals, the core decides
/// when the device has not come.</summary>
public static class UsbDeviceProviderExtensions
{
    /// <summary>
    /// Waits until a device that satisfies <paramref name="match"/> is present: lists the devices, and between lists
    /// waits for an arrival (hotplug where the platform has it, polling where not), on the provider's clock.
    /// </summary>
    /// <param name="provider">The bus.</param>
    /// <param name="match">Which device to wait for (for example: the same serial and port path, now in DFU mode).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The device.</returns>
    /// <exception cref="DfuReenumerationTimeoutException">No such device appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<UsbDeviceInfo> WaitForDeviceAsync(
        this IUsbDeviceProvider provider, Func<UsbDeviceInfo, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(match);
        long started = provider.TimeProvider.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (UsbDeviceInfo device in await provider.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (match(device))
                {
                    return device;
                }
            }

            TimeSpan remaining = timeout - provider.TimeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new DfuReenumerationTimeoutException(
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"No matching USB device appeared within {timeout.TotalMilliseconds:0} ms."))
                {
                    Timeout = timeout,
                };
            }

            await provider.WaitForArrivalAsync(remaining, cancellationToken).ConfigureAwait(false);
        }
    }
}
