using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>The in-process <see cref="IUsbTransport"/> face of the device.</summary>
public sealed partial class SimulatedDfuDevice
{
    /// <inheritdoc/>
    public ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
        => ControlInAsync(null, setup, buffer, timeout, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
        => ControlOutAsync(null, setup, data, timeout, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default)
        => ClaimInterfaceAsync(null, interfaceNumber, cancellationToken);

    /// <inheritdoc/>
    public ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
        => SetAlternateSettingAsync(null, interfaceNumber, alternateSetting, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ResetAsync(CancellationToken cancellationToken = default) => ResetAsync(null, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
        => GetStringDescriptorAsync(null, index, languageId, cancellationToken);

    /// <summary>Does nothing: the device outlives its transports. Later calls still work.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal async ValueTask<int> ControlInAsync(int? generation, UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!setup.IsDeviceToHost)
        {
            throw new ArgumentException("An IN transfer needs bit 7 of bmRequestType set.", nameof(setup));
        }

        if (buffer.Length < setup.Length)
        {
            throw new ArgumentException($"The buffer holds {buffer.Length} bytes; wLength is {setup.Length}.", nameof(buffer));
        }

        SimulatedControlResult result = await TransferAsync(generation, setup, ReadOnlyMemory<byte>.Empty, timeout, cancellationToken);
        result.Data.Span.CopyTo(buffer.Span);
        return result.Data.Length;
    }

    internal async ValueTask ControlOutAsync(int? generation, UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (setup.IsDeviceToHost)
        {
            throw new ArgumentException("An OUT transfer needs bit 7 of bmRequestType clear.", nameof(setup));
        }

        if (data.Length != setup.Length)
        {
            throw new ArgumentException($"wLength is {setup.Length} but {data.Length} bytes were given.", nameof(data));
        }

        await TransferAsync(generation, setup, data, timeout, cancellationToken);
    }

    internal ValueTask ClaimInterfaceAsync(int? generation, byte interfaceNumber, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfGone(generation);
        if (interfaceNumber != SimulatedDescriptors.DfuInterfaceNumber)
        {
            throw new UsbTransportException(UsbError.InvalidParameter, $"The device has no interface {interfaceNumber}.");
        }

        return ValueTask.CompletedTask;
    }

    internal async ValueTask SetAlternateSettingAsync(int? generation, byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(false, UsbRequestType.Standard, UsbRecipient.Interface), 11, alternateSetting, interfaceNumber, 0);
        await TransferAsync(generation, setup, ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(5), cancellationToken);
    }

    internal ValueTask ResetAsync(int? generation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfGone(generation);
        if (BusReset().Status == SimulatedControlStatus.NoDevice)
        {
            throw new UsbTransportException(UsbError.NoDevice, $"{PortPath}: the device is not on the bus.");
        }

        return ValueTask.CompletedTask;
    }

    internal async ValueTask<string?> GetStringDescriptorAsync(int? generation, byte index, ushort languageId, CancellationToken cancellationToken)
    {
        if (index == 0)
        {
            return null;
        }

        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(true, UsbRequestType.Standard, UsbRecipient.Device),
            6,
            (ushort)((SimulatedDescriptors.StringDescriptorType << 8) | index),
            languageId == 0 ? SimulatedDescriptors.EnglishUnitedStates : languageId,
            255);
        var buffer = new byte[255];
        int n = await ControlInAsync(generation, setup, buffer, TimeSpan.FromSeconds(5), cancellationToken);
        if (n < 2 || buffer[1] != SimulatedDescriptors.StringDescriptorType)
        {
            throw new UsbTransportException(UsbError.Io, $"String descriptor {index} is malformed.");
        }

        return System.Text.Encoding.Unicode.GetString(buffer, 2, Math.Min(n, buffer[0]) - 2);
    }

    private async ValueTask<SimulatedControlResult> TransferAsync(
        int? generation, UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfGone(generation);

        // A busy device NAKs: the transfer completes when it is ready, or fails when the host's timeout comes first.
        TimeSpan busy = BusyRemaining();
        if (busy > TimeSpan.Zero)
        {
            if (StallEarlyPoll(setup, data.Length))
            {
                throw new UsbTransportException(UsbError.Stall, $"{PortPath}: the device stalled {setup} (busy).");
            }

            if (busy > timeout)
            {
                await Task.Delay(timeout, _time, cancellationToken);
                throw new UsbTransportException(UsbError.Timeout, $"{PortPath}: the device did not answer {setup} within {timeout.TotalMilliseconds} ms (busy).");
            }

            await Task.Delay(busy, _time, cancellationToken);
        }

        ThrowIfGone(generation);
        SimulatedControlResult result = HandleControl(setup, data.Span);
        switch (result.Status)
        {
            case SimulatedControlStatus.Ack:
                return result;
            case SimulatedControlStatus.Stall:
                throw new UsbTransportException(UsbError.Stall, $"{PortPath}: the device stalled {setup}.");
            case SimulatedControlStatus.NoDevice:
                throw new UsbTransportException(UsbError.NoDevice, $"{PortPath}: the device is not on the bus.");
            default:
                await Task.Delay(timeout, _time, cancellationToken);
                throw new UsbTransportException(UsbError.Timeout, $"{PortPath}: the device did not answer {setup} within {timeout.TotalMilliseconds} ms.");
        }
    }

    private void ThrowIfGone(int? generation)
    {
        lock (_gate)
        {
            RefreshPresence();
            if (!_connected || (generation is { } g && g != _generation))
            {
                throw new UsbTransportException(UsbError.NoDevice, $"{PortPath}: the device is not on the bus (it was reset or re-enumerated).");
            }
        }
    }
}
