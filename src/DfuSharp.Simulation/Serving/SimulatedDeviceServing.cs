namespace DfuSharp.Simulation.Serving;

/// <summary>Serves a <see cref="SimulatedDfuDevice"/> to tools/usb-emulator.</summary>
public static class SimulatedDeviceServing
{
    /// <summary>Creates a server that forwards every request to <paramref name="device"/>.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The server.</returns>
    public static FramedDeviceServer CreateServer(SimulatedDfuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new FramedDeviceServer((request, cancellationToken) => HandleAsync(device, request, cancellationToken));
    }

    /// <summary>Translates a simulated device's answer into a response frame.</summary>
    /// <param name="result">The answer.</param>
    /// <returns>The response.</returns>
    public static UsbFrameResponse ToResponse(SimulatedControlResult result) => new(
        result.Status switch
        {
            SimulatedControlStatus.Ack => 0,
            SimulatedControlStatus.Stall => UsbFrameCodec.StatusStall,
            SimulatedControlStatus.NoDevice => UsbFrameCodec.StatusNoDevice,
            _ => UsbFrameCodec.StatusTimeout,
        },
        result.Reenumerate,
        result.IsAck ? result.Data : ReadOnlyMemory<byte>.Empty);

    private static async ValueTask<UsbFrameResponse> HandleAsync(SimulatedDfuDevice device, UsbFrameRequest request, CancellationToken cancellationToken)
    {
        // After a re-enumeration the emulator asks for the new descriptors at once; answer them when the device is
        // back on the bus (it stays away for its re-enumeration time). A device gone for good answers NoDevice.
        if (device.ReconnectsAt is not null)
        {
            await device.WaitUntilConnectedAsync(cancellationToken);
        }

        return ToResponse(request.Kind == UsbFrameKind.BusReset
            ? device.BusReset()
            : device.HandleControl(request.Setup, request.Data.Span));
    }
}
