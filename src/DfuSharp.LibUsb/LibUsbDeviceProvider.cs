using DfuSharp.LibUsb.Native;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfuSharp.LibUsb;

/// <summary>
/// Finds and opens USB devices through libusb-1.0 on Windows, Linux and macOS. libusb is loaded on first use, so a
/// machine without it only fails when a real device is asked for.
/// </summary>
public sealed class LibUsbDeviceProvider : IUsbDeviceProvider, IDisposable
{
    private readonly LibUsbDeviceProviderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private LibUsbContext? _context;
    private bool _disposed;
    private HotplugListener? _arrivals;

    /// <summary>Creates a provider.</summary>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Logging, or <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock used while waiting for devices; <see cref="TimeProvider.System"/> by default.</param>
    public LibUsbDeviceProvider(LibUsbDeviceProviderOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new LibUsbDeviceProviderOptions();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LibUsbDeviceProvider>();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the version of the libusb this provider uses, loading it if needed.</summary>
    /// <exception cref="UsbTransportException">libusb is not installed (<see cref="UsbError.LibraryMissing"/>).</exception>
    public LibUsbVersion LibraryVersion => Context.Version;

    /// <summary>Gets a value indicating whether libusb reports device arrivals on this platform.</summary>
    /// <exception cref="UsbTransportException">libusb is not installed (<see cref="UsbError.LibraryMissing"/>).</exception>
    public bool HasHotplug => Context.HasHotplug;

    private LibUsbContext Context
    {
        get
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_context is null)
                {
                    _context = LibUsbContext.Create(_options.LibUsbLogLevel);
                    Log.LibraryLoaded(_logger, _context.Version, _context.HasHotplug);
                }

                return _context;
            }
        }
    }

    /// <summary>Reads the version of the installed libusb without creating a context.</summary>
    /// <returns>The version.</returns>
    /// <exception cref="UsbTransportException">libusb is not installed (<see cref="UsbError.LibraryMissing"/>).</exception>
    public static LibUsbVersion GetLibraryVersion() => LibUsbContext.ReadVersion();

    /// <inheritdoc/>
    /// <exception cref="UsbTransportException">libusb is missing or could not list the devices.</exception>
    public async ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LibUsbContext context = Context;
        return await Task.Factory.StartNew(
            () => (IReadOnlyList<UsbDeviceInfo>)LibUsbEnumerator.DescribeAll(context.Handle, _logger),
            cancellationToken,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
    }

    /// <inheritdoc/>
    /// <exception cref="UsbTransportException">The device is gone (<see cref="UsbError.NoDevice"/>), or could not be opened.</exception>
    public async ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        cancellationToken.ThrowIfCancellationRequested();
        LibUsbContext context = Context;
        return await Task.Factory.StartNew(
            () => (IUsbTransport)Open(context, device),
            cancellationToken,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public TimeProvider TimeProvider => _time;

    /// <inheritdoc/>
    public async ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        LibUsbContext context = Context;
        bool hotplug = _options.UseHotplug && context.HasHotplug;
        TimeSpan interval = hotplug ? _options.HotplugRecheckInterval : _options.PollInterval;
        TimeSpan delay = timeout < interval ? timeout : interval;
        Log.WaitingForDevice(_logger, (long)delay.TotalMilliseconds, hotplug ? "hotplug" : "polling");
        HotplugListener? listener = hotplug ? Arrivals(context) : null;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task sleeping = Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.FromTicks(1), _time, wake.Token);
        if (listener is null)
        {
            await sleeping.ConfigureAwait(false);
            return;
        }

        // Whichever comes first: an arrival, or the recheck interval. The listener is reset before the caller lists
        // the devices again, so an arrival during that listing wakes the next wait.
        await Task.WhenAny(sleeping, listener.WaitAsync()).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        listener.Reset();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Watches the bus: where libusb has hotplug events (Linux, macOS) the bus is listed again at each arrival or
    /// departure and every <see cref="LibUsbDeviceProviderOptions.HotplugRecheckInterval"/>; where it has none
    /// (Windows, or <see cref="LibUsbDeviceProviderOptions.UseHotplug"/> off) every
    /// <see cref="LibUsbDeviceProviderOptions.PollInterval"/> (100 ms).
    /// </summary>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>The changes; the devices present at the start come first, as arrivals.</returns>
    /// <exception cref="UsbTransportException">libusb is missing or could not list the devices.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<UsbDeviceChange> WatchAsync(CancellationToken cancellationToken = default)
        => this.WatchByListingAsync(ct => WaitForArrivalAsync(TimeSpan.MaxValue, ct), cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        LibUsbContext? context;
        lock (_lock)
        {
            _disposed = true;
            context = _context;
            _context = null;
        }

        _arrivals?.Dispose();

        // Open transports keep the native context alive through their handles; libusb_exit runs after the last one.
        context?.Dispose();
    }

    // One hotplug listener for the provider's life, made at the first wait.
    private HotplugListener Arrivals(LibUsbContext context)
    {
        lock (_lock)
        {
            return _arrivals ??= context.ListenForArrivals();
        }
    }

    private LibUsbTransport Open(LibUsbContext context, UsbDeviceInfo device)
    {
        using LibUsbDeviceHandle found = LibUsbEnumerator.Find(context.Handle, device.BusNumber, device.DeviceAddress)
            ?? throw new UsbTransportException(UsbError.NoDevice, $"{device.DisplayName} is no longer connected.");
        LibUsbOpenHandle handle = LibUsbOpenHandle.Open(found, device.DisplayName);
        try
        {
            // Linux only: let libusb unbind a kernel driver (usbhid on HID run-time devices, cdc_acm on some
            // application bootloaders) while an interface is claimed, and rebind it on release.
            int detach = LibUsbNative.SetAutoDetachKernelDriver(handle.DangerousGetHandle(), 1);
            Log.KernelDriverDetach(_logger, device.DisplayName, detach == 0 ? "enabled" : LibUsbErrors.Describe(detach));
            Log.DeviceOpened(_logger, device.DisplayName);
            return new LibUsbTransport(handle, device, _logger);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
