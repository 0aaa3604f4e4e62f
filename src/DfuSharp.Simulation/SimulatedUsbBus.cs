using System.Globalization;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>
/// A USB bus of simulated devices: it enumerates the ones on the bus, opens them, and sees them leave and come back
/// when they re-enumerate (detach, reset, leave, injected disconnects), after their re-enumeration delay on the clock.
/// </summary>
public sealed class SimulatedUsbBus : IUsbDeviceProvider
{
    private readonly Lock _gate = new();
    private readonly List<SimulatedDfuDevice> _devices = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Initializes a new bus.</summary>
    /// <param name="timeProvider">The clock shared with the devices; <see langword="null"/> for real time.</param>
    public SimulatedUsbBus(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Gets the bus's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets the hub that the boards added from now on share (opt-in): their control transfers serialize their bus time
    /// (<see cref="SimulatedBusTime"/>), as boards behind one single-TT hub do. <see langword="null"/> (the default):
    /// each board has a bus of its own. A board's own <see cref="SimulatedDeviceOptions.Hub"/> wins.
    /// </summary>
    public SimulatedUsbHub? Hub { get; init; }

    /// <summary>Gets the devices plugged in (on the bus or re-enumerating).</summary>
    public IReadOnlyList<SimulatedDfuDevice> Devices
    {
        get
        {
            lock (_gate)
            {
                return [.. _devices];
            }
        }
    }

    /// <summary>Creates a device from a stock profile on the bus's clock and plugs it in at port <c>sim-N</c>.</summary>
    /// <param name="profileName">A name from <see cref="SimulatedProfiles.Names"/>.</param>
    /// <param name="options">Options; the clock and, when unset, the port path are replaced by the bus's.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException"><paramref name="profileName"/> is not a stock profile.</exception>
    public SimulatedDfuDevice Add(string profileName, SimulatedDeviceOptions? options = null)
        => Add(SimulatedProfiles.Get(profileName), options);

    /// <summary>Creates a device on the bus's clock and plugs it in at port <c>sim-N</c>.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="options">Options; the clock and, when unset, the port path are replaced by the bus's.</param>
    /// <returns>The device.</returns>
    public SimulatedDfuDevice Add(SimulatedDeviceProfile profile, SimulatedDeviceOptions? options = null)
    {
        SimulatedDfuDevice device;
        lock (_gate)
        {
            options ??= new SimulatedDeviceOptions();
            device = new SimulatedDfuDevice(profile, options with
            {
                TimeProvider = TimeProvider,
                Hub = options.Hub ?? Hub,
                PortPath = options.PortPath ?? string.Create(CultureInfo.InvariantCulture, $"sim-{_devices.Count + 1}"),
            });
            _devices.Add(device);
        }

        SignalChange();
        return device;
    }

    /// <summary>Plugs in a device that was created on the bus's clock.</summary>
    /// <param name="device">The device.</param>
    /// <exception cref="ArgumentException">The device runs on another clock, or another device has its port path.</exception>
    public void Plug(SimulatedDfuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_gate)
        {
            if (!ReferenceEquals(device.TimeProvider, TimeProvider))
            {
                throw new ArgumentException("The device must run on the bus's TimeProvider.", nameof(device));
            }

            if (_devices.Any(d => d.PortPath == device.PortPath))
            {
                throw new ArgumentException($"Port {device.PortPath} is taken.", nameof(device));
            }

            _devices.Add(device);
        }

        SignalChange();
    }

    /// <summary>Unplugs a device for good.</summary>
    /// <param name="device">The device.</param>
    /// <returns><see langword="true"/> when it was plugged in.</returns>
    public bool Unplug(SimulatedDfuDevice device)
    {
        bool removed;
        lock (_gate)
        {
            removed = _devices.Remove(device);
        }

        SignalChange();
        return removed;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<UsbDeviceInfo>>(Present());
    }

    /// <inheritdoc/>
    public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        cancellationToken.ThrowIfCancellationRequested();
        SimulatedDfuDevice? found;
        lock (_gate)
        {
            found = _devices.FirstOrDefault(d => d.PortPath == device.PortPath);
        }

        if (found is null || !found.IsConnected || found.Device.DeviceAddress != device.DeviceAddress)
        {
            throw new UsbTransportException(UsbError.NoDevice, $"{device.DisplayName} is not on the bus (it may have re-enumerated).");
        }

        return ValueTask.FromResult<IUsbTransport>(new SimulatedDeviceConnection(found, found.Generation, SignalChange));
    }

    /// <inheritdoc/>
    public ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitForChangeAsync(timeout, cancellationToken);

    /// <summary>
    /// Watches the bus without polling: it lists the devices again when one is plugged in or unplugged, when a request
    /// made one leave (a detach, a reset, a leave, an injected disconnect), and when a re-enumerating device is due
    /// back on the clock.
    /// </summary>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>The changes.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<UsbDeviceChange> WatchAsync(CancellationToken cancellationToken = default)
    {
        // A device that comes back on the clock signals nothing, and the time it is due may pass between a listing
        // and the next wait; so each wait first compares the bus with how it was when the previous wait ended (before
        // that listing), and returns at once when it differs.
        string seen = Presence();
        return this.WatchByListingAsync(
            async ct =>
            {
                if (Presence() == seen)
                {
                    await WaitForChangeAsync(null, ct).ConfigureAwait(false);
                }

                seen = Presence();
            },
            cancellationToken);
    }

    // Sleeps until a device is plugged in or unplugged, a request makes one leave, the next re-enumerating device is
    // due back, or the timeout (none: only the first three).
    private async ValueTask WaitForChangeAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Task changed = Volatile.Read(ref _changed).Task;
        DateTimeOffset? due = timeout is { } limit ? TimeProvider.GetUtcNow() + limit : null;
        foreach (SimulatedDfuDevice device in Devices)
        {
            if (device.ReconnectsAt is { } at && (due is null || at < due))
            {
                due = at;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task waiting = changed.WaitAsync(stop.Token);
        if (due is { } wake)
        {
            TimeSpan delay = wake - TimeProvider.GetUtcNow();
            waiting = Task.WhenAny(waiting, Task.Delay(VirtualTimeProvider.WholeMilliseconds(delay), TimeProvider, stop.Token));
        }

        try
        {
            await waiting.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ResetChange();
    }

    // Signalled on every change; reset before the watch lists the bus again, so that no change is missed.
    private void SignalChange() => Volatile.Read(ref _changed).TrySetResult();

    private void ResetChange()
    {
        TaskCompletionSource current = Volatile.Read(ref _changed);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    // Which devices are on the bus, and in which generation.
    private string Presence()
        => string.Join(';', Devices.Select(d => d.IsConnected ? d.Generation.ToString(CultureInfo.InvariantCulture) : "-"));

    private List<UsbDeviceInfo> Present()
    {
        var present = new List<UsbDeviceInfo>();
        foreach (SimulatedDfuDevice device in Devices)
        {
            if (device.IsConnected)
            {
                present.Add(device.Device);
            }
        }

        present.Sort((a, b) => string.CompareOrdinal(a.PortPath, b.PortPath));
        return present;
    }
}
