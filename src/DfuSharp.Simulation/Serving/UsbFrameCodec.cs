using System.Buffers;
using System.Buffers.Binary;
using DfuSharp.Usb;

namespace DfuSharp.Simulation.Serving;

/// <summary>What a request frame from the USB emulator asks of the device model.</summary>
public enum UsbFrameKind : byte
{
    /// <summary>A control transfer on endpoint 0 (<c>'C'</c>).</summary>
    Control = (byte)'C',

    /// <summary>A USB bus reset from the host (<c>'R'</c>, usbdevfs USBDEVFS_RESET).</summary>
    BusReset = (byte)'R',
}

/// <summary>One request frame: a control transfer with its OUT data, or a bus event.</summary>
/// <param name="Kind">What is asked.</param>
/// <param name="Setup">The SETUP packet (all zero for bus events).</param>
/// <param name="Data">The OUT data stage; empty for IN transfers and bus events.</param>
public readonly record struct UsbFrameRequest(UsbFrameKind Kind, UsbSetupPacket Setup, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc/>
    public bool Equals(UsbFrameRequest other)
        => Kind == other.Kind && Setup == other.Setup && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Setup, Data.Length);
}

/// <summary>One response frame.</summary>
/// <param name="Status">0 ACK, <see cref="UsbFrameCodec.StatusStall"/>, <see cref="UsbFrameCodec.StatusTimeout"/>, or another negative errno.</param>
/// <param name="Reenumerate">The device leaves the bus after this transfer and comes back (possibly with a new identity).</param>
/// <param name="Data">The IN data stage.</param>
public readonly record struct UsbFrameResponse(int Status, bool Reenumerate, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc/>
    public bool Equals(UsbFrameResponse other)
        => Status == other.Status && Reenumerate == other.Reenumerate && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Status, Reenumerate, Data.Length);
}

/// <summary>
/// The framed protocol between tools/usb-emulator and a device model, all little-endian:
/// request <c>u8 kind, u8 setup[8], u16 outLength, outLength bytes</c>;
/// response <c>i32 status, u8 flags, u16 inLength, inLength bytes</c>.
/// </summary>
public static class UsbFrameCodec
{
    /// <summary>The size of a request header.</summary>
    public const int RequestHeaderSize = 11;

    /// <summary>The size of a response header.</summary>
    public const int ResponseHeaderSize = 7;

    /// <summary>Status of a STALL handshake (-EPIPE, as usbdevfs reports it).</summary>
    public const int StatusStall = -32;

    /// <summary>Status of a device that is not on the bus (-ENODEV).</summary>
    public const int StatusNoDevice = -19;

    /// <summary>Status of a transfer the device never answers (-ETIMEDOUT): the host's own timeout expires.</summary>
    public const int StatusTimeout = -110;

    /// <summary>Response flag: the device re-enumerates after this transfer.</summary>
    public const byte FlagReenumerate = 0x01;

    private const int KindOffset = 0;
    private const int SetupOffset = 1;
    private const int OutLengthOffset = 9;
    private const int StatusOffset = 0;
    private const int FlagsOffset = 4;
    private const int InLengthOffset = 5;

    /// <summary>Reads the data length a request header announces.</summary>
    /// <param name="header">The <see cref="RequestHeaderSize"/> header bytes.</param>
    /// <returns>The number of OUT data bytes that follow.</returns>
    /// <exception cref="InvalidDataException">The header is too short or its kind is unknown.</exception>
    public static int ReadRequestDataLength(ReadOnlySpan<byte> header)
    {
        CheckRequestHeader(header);
        return BinaryPrimitives.ReadUInt16LittleEndian(header[OutLengthOffset..]);
    }

    /// <summary>Parses a request frame.</summary>
    /// <param name="frame">The header followed by its data.</param>
    /// <returns>The request.</returns>
    /// <exception cref="InvalidDataException">The frame is malformed (unknown kind, or fewer data bytes than announced).</exception>
    public static UsbFrameRequest ReadRequest(ReadOnlySpan<byte> frame)
    {
        int length = ReadRequestDataLength(frame);
        if (frame.Length - RequestHeaderSize < length)
        {
            throw new InvalidDataException($"A request frame announces {length} data bytes but {frame.Length - RequestHeaderSize} follow.");
        }

        return new UsbFrameRequest(
            (UsbFrameKind)frame[KindOffset],
            UsbSetupPacket.Read(frame[SetupOffset..]),
            frame.Slice(RequestHeaderSize, length).ToArray());
    }

    /// <summary>Writes a request frame.</summary>
    /// <param name="request">The request.</param>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentException">The data is longer than 65535 bytes.</exception>
    public static void WriteRequest(UsbFrameRequest request, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlySpan<byte> data = request.Data.Span;
        CheckLength(data.Length, nameof(request));
        Span<byte> frame = writer.GetSpan(RequestHeaderSize + data.Length);
        frame[KindOffset] = (byte)request.Kind;
        request.Setup.WriteTo(frame[SetupOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[OutLengthOffset..], (ushort)data.Length);
        data.CopyTo(frame[RequestHeaderSize..]);
        writer.Advance(RequestHeaderSize + data.Length);
    }

    /// <summary>Writes a response frame.</summary>
    /// <param name="response">The response.</param>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentException">The data is longer than 65535 bytes.</exception>
    public static void WriteResponse(UsbFrameResponse response, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlySpan<byte> data = response.Data.Span;
        CheckLength(data.Length, nameof(response));
        Span<byte> frame = writer.GetSpan(ResponseHeaderSize + data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame[StatusOffset..], response.Status);
        frame[FlagsOffset] = response.Reenumerate ? FlagReenumerate : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(frame[InLengthOffset..], (ushort)data.Length);
        data.CopyTo(frame[ResponseHeaderSize..]);
        writer.Advance(ResponseHeaderSize + data.Length);
    }

    /// <summary>Parses a response frame.</summary>
    /// <param name="frame">The header followed by its data.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidDataException">The frame is shorter than it announces.</exception>
    public static UsbFrameResponse ReadResponse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < ResponseHeaderSize)
        {
            throw new InvalidDataException($"A response frame needs {ResponseHeaderSize} header bytes; {frame.Length} given.");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(frame[InLengthOffset..]);
        if (frame.Length - ResponseHeaderSize < length)
        {
            throw new InvalidDataException($"A response frame announces {length} data bytes but {frame.Length - ResponseHeaderSize} follow.");
        }

        return new UsbFrameResponse(
            BinaryPrimitives.ReadInt32LittleEndian(frame[StatusOffset..]),
            (frame[FlagsOffset] & FlagReenumerate) != 0,
            frame.Slice(ResponseHeaderSize, length).ToArray());
    }

    private static void CheckRequestHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < RequestHeaderSize)
        {
            throw new InvalidDataException($"A request frame needs {RequestHeaderSize} header bytes; {header.Length} given.");
        }

        if (header[KindOffset] is not ((byte)UsbFrameKind.Control or (byte)UsbFrameKind.BusReset))
        {
            throw new InvalidDataException($"Unknown request kind 0x{header[KindOffset]:X2} at offset 0.");
        }
    }

    private static void CheckLength(int length, string parameter)
    {
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"A frame carries at most {ushort.MaxValue} data bytes; {length} given.", parameter);
        }
    }
}
