using DfuSharp.LibUsb.Native;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfuSharp.LibUsb;

/// <summary>
/// An open USB device reached through libusb. Each control transfer runs libusb's synchronous call on a thread-pool
/// thread with its own timeout; cancellation is observed before each transfer (a transfer in flight always finishes
/// or times out, so no data is lost half-way).
/// </summary>
public sealed class LibUsbTransport : IUsbTransport
{
    private readonly LibUsbOpenHandle _handle;
    private readonly ILogger _logger;
    private readonly HashSet<byte> _claimed = [];
    private readonly Lock _lock = new();
    private ushort _languageId;
    private bool _reset;
    private bool _disposed;

    internal LibUsbTransport(LibUsbOpenHandle handle, UsbDeviceInfo device, ILogger? logger)
    {
        _handle = handle;
        Device = device;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public UsbDeviceInfo Device { get; }

    /// <inheritdoc/>
    public async ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!setup.IsDeviceToHost)
        {
            throw new ArgumentException("An IN transfer needs bit 7 of bmRequestType set.", nameof(setup));
        }

        if (buffer.Length < setup.Length)
        {
            throw new ArgumentException($"The buffer holds {buffer.Length} bytes but wLength is {setup.Length}.", nameof(buffer));
        }

        return await RunAsync(() => Transfer(setup, buffer.Span, timeout), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (setup.IsDeviceToHost)
        {
            throw new ArgumentException("An OUT transfer needs bit 7 of bmRequestType clear.", nameof(setup));
        }

        if (data.Length != setup.Length)
        {
            throw new ArgumentException($"wLength is {setup.Length} but {data.Length} data bytes were given.", nameof(data));
        }

        await RunAsync(
            () =>
            {
                // libusb takes a mutable pointer for both directions; copying keeps the caller's memory read-only.
                byte[] copy = data.ToArray();
                int sent = Transfer(setup, copy, timeout);
                return sent == setup.Length
                    ? sent
                    : throw new UsbTransportException(UsbError.Io, $"{Describe(setup)} sent {sent} of {setup.Length} bytes to {Device.DisplayName}.");
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default)
    {
        await RunAsync(
            () =>
            {
                LibUsbErrors.Check(
                    LibUsbNative.ClaimInterface(_handle.DangerousGetHandle(), interfaceNumber),
                    $"Claiming interface {interfaceNumber} of {Device.DisplayName}");
                lock (_lock)
                {
                    _claimed.Add(interfaceNumber);
                }

                return 0;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
    {
        await RunAsync(
            () => LibUsbErrors.Check(
                LibUsbNative.SetInterfaceAltSetting(_handle.DangerousGetHandle(), interfaceNumber, alternateSetting),
                $"Selecting alternate setting {alternateSetting} of interface {interfaceNumber} of {Device.DisplayName}"),
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(
            () =>
            {
                int result = LibUsbNative.ResetDevice(_handle.DangerousGetHandle());
                lock (_lock)
                {
                    _reset = true;
                    _claimed.Clear();
                }

                // NOT_FOUND means the device re-enumerated (libusb could not re-claim its interfaces) and NO_DEVICE
                // that it is already gone: both are what a reset into a new identity looks like.
                if (result is LibUsbNative.ErrorNotFound or LibUsbNative.ErrorNoDevice)
                {
                    Log.DeviceReset(_logger, Device.DisplayName, "the device re-enumerated");
                    return 0;
                }

                LibUsbErrors.Check(result, $"Resetting {Device.DisplayName}");
                Log.DeviceReset(_logger, Device.DisplayName, "done");
                return 0;
            },
            cancellationToken,
            allowAfterReset: false);
    }

    /// <inheritdoc/>
    public async ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
    {
        if (index == 0)
        {
            return null;
        }

        return await RunAsync(
            () =>
            {
                const uint timeout = 1000;
                ushort language = languageId;
                if (language == 0)
                {
                    if (_languageId == 0)
                    {
                        _languageId = LibUsbDeviceIo.GetFirstLanguageId(_handle, timeout, Device.DisplayName);
                    }

                    language = _languageId;
                }

                byte[] raw = LibUsbDeviceIo.GetDescriptor(_handle, UsbStandard.StringDescriptor, index, language, timeout, Device.DisplayName);
                string text = UsbDescriptorParser.DecodeString(raw, out bool wasUtf8);
                if (wasUtf8)
                {
                    Log.Utf8String(_logger, Device.DisplayName, index);
                }

                return text;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            if (!_reset && !_handle.IsClosed)
            {
                foreach (byte number in _claimed)
                {
                    // A device that already left (detach, leave) cannot release anything; closing is all that remains.
                    _ = LibUsbNative.ReleaseInterface(_handle.DangerousGetHandle(), number);
                }
            }

            _claimed.Clear();
        }

        _handle.Dispose();
        Log.DeviceClosed(_logger, Device.DisplayName);
        return ValueTask.CompletedTask;
    }

    private static uint ToMilliseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return 0;
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(timeout));

        // libusb treats 0 as "forever", so the shortest finite timeout is 1 ms.
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms >= uint.MaxValue ? uint.MaxValue - 1 : Math.Max(1u, (uint)ms);
    }

    private static string Describe(UsbSetupPacket setup) => $"Control transfer {setup}";

    private int Transfer(UsbSetupPacket setup, Span<byte> buffer, TimeSpan timeout)
    {
        int result = LibUsbDeviceIo.ControlTransfer(_handle, setup, buffer, ToMilliseconds(timeout));
        Log.ControlTransfer(_logger, setup, result);
        return LibUsbErrors.Check(result, $"{Describe(setup)} to {Device.DisplayName}");
    }

    private async ValueTask<T> RunAsync<T>(Func<T> call, CancellationToken cancellationToken, bool allowAfterReset = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_reset && !allowAfterReset)
            {
                throw new UsbTransportException(
                    UsbError.NoDevice,
                    $"{Device.DisplayName} was reset; find it again and open a new transport.");
            }
        }

        // The synchronous libusb call blocks for up to its timeout; keep it off the caller's thread.
        return await Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
    }
}
