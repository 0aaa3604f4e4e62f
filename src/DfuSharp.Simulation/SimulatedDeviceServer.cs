using System.Buffers.Binary;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>
/// Serves a simulated device over the framed control-transfer protocol a usbdevfs-level emulator speaks (one request
/// at a time, little-endian):
/// <code>
/// request : u8 kind ('C' control transfer, 'R' bus reset), u8 setup[8], u16 outLength, outLength bytes
/// response: i32 status (0 ACK, -32 STALL, -19 no device, -110 timeout), u8 flags (bit 0: the device leaves the bus
///           and re-enumerates now), u16 inLength, inLength bytes
/// </code>
/// </summary>
/// <remarks>
/// A request that arrives while the device is busy is answered when it is ready (the device NAKs meanwhile); a
/// request that arrives while the device is re-enumerating is answered once it is back on the bus, which is how the
/// emulator, having removed the old device node, reads the descriptors of the new one.
/// </remarks>
public static class SimulatedDeviceServer
{
    /// <summary>The request kind of a control transfer.</summary>
    public const byte ControlTransferKind = (byte)'C';

    /// <summary>The request kind of a USB bus reset.</summary>
    public const byte BusResetKind = (byte)'R';

    /// <summary>The status of a completed transfer.</summary>
    public const int StatusAck = 0;

    /// <summary>The status of a STALL (-EPIPE).</summary>
    public const int StatusStall = -32;

    /// <summary>The status of a device that is gone (-ENODEV).</summary>
    public const int StatusNoDevice = -19;

    /// <summary>The status of a transfer that never completes (-ETIMEDOUT).</summary>
    public const int StatusTimeout = -110;

    /// <summary>The flag bit: the device leaves the bus and re-enumerates.</summary>
    public const byte ReenumerateFlag = 0x01;

    private const int RequestHeaderSize = 1 + UsbSetupPacket.Size + 2;
    private const int ResponseHeaderSize = 4 + 1 + 2;

    /// <summary>Serves requests until the input ends.</summary>
    /// <param name="device">The device.</param>
    /// <param name="input">The requests.</param>
    /// <param name="output">The responses; flushed after each one.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>A task that completes when the input ends cleanly.</returns>
    /// <exception cref="InvalidDataException">A request is truncated or of an unknown kind.</exception>
    /// <exception cref="IOException">A stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task ServeAsync(SimulatedDfuDevice device, Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var header = new byte[RequestHeaderSize];
        var data = new byte[ushort.MaxValue];
        var response = new byte[ResponseHeaderSize + ushort.MaxValue];
        while (true)
        {
            int got = await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            if (got == 0)
            {
                return;
            }

            if (got < header.Length)
            {
                throw new InvalidDataException($"Truncated request header: {got} of {header.Length} bytes.");
            }

            byte kind = header[0];
            UsbSetupPacket setup = UsbSetupPacket.Read(header.AsSpan(1));
            int outLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(1 + UsbSetupPacket.Size));
            if (outLength > 0 && await input.ReadAtLeastAsync(data.AsMemory(0, outLength), outLength, throwOnEndOfStream: false, cancellationToken) < outLength)
            {
                throw new InvalidDataException($"Truncated OUT data: expected {outLength} bytes.");
            }

            await ReadyAsync(device, cancellationToken);
            SimulatedControlResult result = kind switch
            {
                ControlTransferKind => device.HandleControl(setup, data.AsSpan(0, outLength)),
                BusResetKind => device.BusReset(),
                _ => throw new InvalidDataException($"Unknown request kind 0x{kind:X2}."),
            };

            int length = WriteResponse(result, response);
            await output.WriteAsync(response.AsMemory(0, length), cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Encodes one response frame.</summary>
    /// <param name="result">The device's answer.</param>
    /// <param name="destination">At least 7 bytes plus the IN data.</param>
    /// <returns>The number of bytes written.</returns>
    internal static int WriteResponse(SimulatedControlResult result, Span<byte> destination)
    {
        int status = result.Status switch
        {
            SimulatedControlStatus.Ack => StatusAck,
            SimulatedControlStatus.Stall => StatusStall,
            SimulatedControlStatus.NoDevice => StatusNoDevice,
            _ => StatusTimeout,
        };
        BinaryPrimitives.WriteInt32LittleEndian(destination, status);
        destination[4] = result.Reenumerate ? ReenumerateFlag : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], (ushort)result.Data.Length);
        result.Data.Span.CopyTo(destination[ResponseHeaderSize..]);
        return ResponseHeaderSize + result.Data.Length;
    }

    private static async ValueTask ReadyAsync(SimulatedDfuDevice device, CancellationToken cancellationToken)
    {
        if (device.ReconnectsAt is not null)
        {
            await device.WaitUntilConnectedAsync(cancellationToken);
        }

        TimeSpan busy = device.BusyRemaining();
        if (busy > TimeSpan.Zero)
        {
            await Task.Delay(busy, device.TimeProvider, cancellationToken);
        }
    }
}
