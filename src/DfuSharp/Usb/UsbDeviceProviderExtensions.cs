using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DfuSharp.Usb;

/// <summary>The watch and the wait for a device to (re)appear, in the core: the provider lists and signals changes,
/// the core compares the lists and decides when the device has not come.</summary>
public static class UsbDeviceProviderExtensions
{
    /// <summary>How often the default watch lists the bus again when no hotplug event wakes it: 100 ms.</summary>
    public static readonly TimeSpan DefaultWatchInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits until a device that satisfies <paramref name="match"/> is present, through
    /// <see cref="IUsbDeviceProvider.WatchAsync"/> (hotplug where the platform has it, polling where not), with the
    /// deadline on the provider's clock.
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
        cancellationToken.ThrowIfCancellationRequested();

        // The same watch as WatchAsync's default, with each wait for a change cut to the time left: the deadline is kept
        // on the provider's clock, and a virtual clock stops exactly at it.
        long started = provider.TimeProvider.GetTimestamp();
        await foreach (UsbDeviceChange change in provider.WatchByListingAsync(WaitAsync, cancellationToken).ConfigureAwait(false))
        {
            if (change.Kind == UsbDeviceChangeKind.Arrived && match(change.Device))
            {
                return change.Device;
            }
        }

        // WatchByListingAsync ends only by an exception.
        throw new UnreachableException();

        ValueTask WaitAsync(CancellationToken ct)
        {
            TimeSpan remaining = timeout - provider.TimeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new DfuReenumerationTimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"No matching USB device appeared within {timeout.TotalMilliseconds:0} ms."))
                {
                    Timeout = timeout,
                };
            }

            return provider.WaitForArrivalAsync(remaining, ct);
        }
    }

    /// <summary>
    /// Watches a bus by listing it: yields <see cref="UsbDeviceChangeKind.Arrived"/> for each device present at the start,
    /// then, each time <paramref name="waitForChange"/> returns, lists the bus again and yields the devices that left
    /// and those that arrived. A device is the same while its bus, port path and address stay the same.
    /// </summary>
    /// <param name="provider">The bus.</param>
    /// <param name="waitForChange">Returns when it is worth listing again (a hotplug event, a poll interval).</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>The changes.</returns>
    /// <exception cref="UsbTransportException">The bus could not be enumerated.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async IAsyncEnumerable<UsbDeviceChange> WatchByListingAsync(
        this IUsbDeviceProvider provider,
        Func<CancellationToken, ValueTask> waitForChange,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(waitForChange);
        var known = new Dictionary<string, UsbDeviceInfo>(StringComparer.Ordinal);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<UsbDeviceInfo> now = await provider.EnumerateAsync(cancellationToken).ConfigureAwait(false);
            var present = new Dictionary<string, UsbDeviceInfo>(StringComparer.Ordinal);
            foreach (UsbDeviceInfo device in now)
            {
                present[Key(device)] = device;
            }

            foreach (KeyValuePair<string, UsbDeviceInfo> gone in known.Where(k => !present.ContainsKey(k.Key)).ToList())
            {
                known.Remove(gone.Key);
                yield return new UsbDeviceChange(UsbDeviceChangeKind.Left, gone.Value);
            }

            foreach (UsbDeviceInfo device in now)
            {
                if (known.TryAdd(Key(device), device))
                {
                    yield return new UsbDeviceChange(UsbDeviceChangeKind.Arrived, device);
                }
            }

            await waitForChange(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Key(UsbDeviceInfo device)
        => string.Create(CultureInfo.InvariantCulture, $"{device.BusNumber}|{device.PortPath}|{device.DeviceAddress}");
}
