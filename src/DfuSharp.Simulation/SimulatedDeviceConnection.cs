using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>
/// An <see cref="IUsbTransport"/> to a simulated device: it carries each transfer to the device's bus face
/// (<see cref="SimulatedDfuDevice.HandleControl"/> and <see cref="SimulatedDfuDevice.BusReset"/>) and turns the answer
/// into a result or a <see cref="UsbTransportException"/>, as libusb does for a real device.
/// </summary>
/// <remarks>
/// A connection opened on one generation of the device (a bus handle) dies when the device leaves the bus, as a libusb
/// handle does; one with no generation (<see cref="SimulatedDfuDevice.Connect"/>) follows the device across
/// re-enumerations and fails only while it is away.
/// </remarks>
internal sealed class SimulatedDeviceConnection(SimulatedDfuDevice device, int? generation, Action? onLeave) : IUsbTransport
{
    private readonly UsbDeviceInfo? _info = generation is null ? null : device.Device;

    public UsbDeviceInfo Device => _info ?? device.Device;

    public async ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!setup.IsDeviceToHost)
        {
            throw new ArgumentException("An IN transfer needs bit 7 of bmRequestType set.", nameof(setup));
        }

        if (buffer.Length < setup.Length)
        {
            throw new ArgumentException($"The buffer holds {buffer.Length} bytes; wLength is {setup.Length}.", nameof(buffer));
        }

        SimulatedControlResult result = await TransferAsync(setup, ReadOnlyMemory<byte>.Empty, timeout, cancellationToken);
        result.Data.Span.CopyTo(buffer.Span);
        return result.Data.Length;
    }

    public async ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (setup.IsDeviceToHost)
        {
            throw new ArgumentException("An OUT transfer needs bit 7 of bmRequestType clear.", nameof(setup));
        }

        if (data.Length != setup.Length)
        {
            throw new ArgumentException($"wLength is {setup.Length} but {data.Length} bytes were given.", nameof(data));
        }

        await TransferAsync(setup, data, timeout, cancellationToken);
    }

    public ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfGone();
        if (interfaceNumber != SimulatedDescriptors.DfuInterfaceNumber)
        {
            throw new UsbTransportException(UsbError.InvalidParameter, $"The device has no interface {interfaceNumber}.");
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(false, UsbRequestType.Standard, UsbRecipient.Interface), 11, alternateSetting, interfaceNumber, 0);
        await TransferAsync(setup, ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(5), cancellationToken);
    }

    public ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            ThrowIfGone();
            if (device.BusReset().Status == SimulatedControlStatus.NoDevice)
            {
                throw new UsbTransportException(UsbError.NoDevice, $"{device.PortPath}: the device is not on the bus.");
            }
        }
        finally
        {
            NoticeLeave();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
    {
        if (index == 0)
        {
            return null;
        }

        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(true, UsbRequestType.Standard, UsbRecipient.Device),
            6,
            (ushort)((UsbStandard.StringDescriptor << 8) | index),
            languageId == 0 ? SimulatedDescriptors.EnglishUnitedStates : languageId,
            255);
        var buffer = new byte[255];
        int n = await ControlInAsync(setup, buffer, TimeSpan.FromSeconds(5), cancellationToken);
        if (n < 2 || buffer[1] != UsbStandard.StringDescriptor)
        {
            throw new UsbTransportException(UsbError.Io, $"String descriptor {index} is malformed.");
        }

        return UsbDescriptorParser.DecodeString(buffer.AsSpan(0, n), out _);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async ValueTask<SimulatedControlResult> TransferAsync(
        UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfGone();

            // A busy device NAKs: the transfer completes when it is ready, or fails when the host's timeout comes first.
            TimeSpan busy = device.BusyRemaining();
            if (busy > TimeSpan.Zero)
            {
                if (device.StallEarlyPoll(setup, data.Length))
                {
                    throw new UsbTransportException(UsbError.Stall, $"{device.PortPath}: the device stalled {setup} (busy).");
                }

                if (busy > timeout)
                {
                    await Task.Delay(timeout, device.TimeProvider, cancellationToken);
                    throw new UsbTransportException(UsbError.Timeout, $"{device.PortPath}: the device did not answer {setup} within {timeout.TotalMilliseconds} ms (busy).");
                }

                await Task.Delay(busy, device.TimeProvider, cancellationToken);
            }

            ThrowIfGone();
            SimulatedControlResult result = device.HandleControlUnpaced(setup, data.Span, out DateTimeOffset transferEnd);
            await device.WaitForBusAsync(transferEnd, cancellationToken);
            switch (result.Status)
            {
                case SimulatedControlStatus.Ack:
                    return result;
                case SimulatedControlStatus.Stall:
                    throw new UsbTransportException(UsbError.Stall, $"{device.PortPath}: the device stalled {setup}.");
                case SimulatedControlStatus.NoDevice:
                    throw new UsbTransportException(UsbError.NoDevice, $"{device.PortPath}: the device is not on the bus.");
                default:
                    await Task.Delay(timeout, device.TimeProvider, cancellationToken);
                    throw new UsbTransportException(UsbError.Timeout, $"{device.PortPath}: the device did not answer {setup} within {timeout.TotalMilliseconds} ms.");
            }
        }
        finally
        {
            NoticeLeave();
        }
    }

    // The one place where a transport goes stale: the device is away, or came back as a new generation.
    private void ThrowIfGone()
    {
        bool connected = device.IsConnected;
        if (!connected || (generation is { } g && g != device.Generation))
        {
            throw new UsbTransportException(UsbError.NoDevice, $"{device.PortPath}: the device is not on the bus (it was reset or re-enumerated).");
        }
    }

    // A request that made the device leave the bus (a detach, a reset, a leave) is what a hotplug event would report.
    private void NoticeLeave()
    {
        if (onLeave is not null && (device.Generation != generation || !device.IsConnected))
        {
            onLeave();
        }
    }
}
