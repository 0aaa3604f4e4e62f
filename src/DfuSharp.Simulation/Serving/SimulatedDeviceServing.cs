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
        switch (request.Kind)
        {
            case UsbFrameKind.Control:
                return ToResponse(device.HandleControl(request.Setup, request.Data.Span));
            case UsbFrameKind.BusReset:
                return ToResponse(device.BusReset());
            default:
                // The emulator publishes the device again right after this answer and reads its new descriptors, so
                // answer only once the device is back on the bus (it stays away for its re-enumeration time).
                await device.WaitUntilConnectedAsync(cancellationToken);
                return new UsbFrameResponse(0, false, ReadOnlyMemory<byte>.Empty);
        }
    }
}
