namespace DfuSharp.Usb;

/// <summary>
/// The 8-byte SETUP packet of a USB control transfer (USB 2.0 §9.3).
/// </summary>
/// <param name="RequestType">bmRequestType: direction, type and recipient.</param>
/// <param name="Request">bRequest.</param>
/// <param name="Value">wValue.</param>
/// <param name="Index">wIndex (for class requests to an interface, the interface number).</param>
/// <param name="Length">wLength: the number of data bytes to transfer.</param>
public readonly record struct UsbSetupPacket(byte RequestType, byte Request, ushort Value, ushort Index, ushort Length)
{
    /// <summary>The size of a SETUP packet in bytes.</summary>
    public const int Size = 8;

    /// <summary>Gets a value indicating whether the data stage goes device → host (bit 7 of bmRequestType).</summary>
    public bool IsDeviceToHost => (RequestType & 0x80) != 0;

    /// <summary>Gets the request type (standard, class or vendor) from bits 6..5 of bmRequestType.</summary>
    public UsbRequestType Type => (UsbRequestType)((RequestType >> 5) & 0x03);

    /// <summary>Gets the recipient (device, interface, endpoint, other) from bits 4..0 of bmRequestType.</summary>
    public UsbRecipient Recipient => (UsbRecipient)(RequestType & 0x1F);

    /// <summary>Builds a bmRequestType byte.</summary>
    /// <param name="deviceToHost"><see langword="true"/> for an IN transfer.</param>
    /// <param name="type">The request type.</param>
    /// <param name="recipient">The recipient.</param>
    /// <returns>The bmRequestType byte.</returns>
    public static byte MakeRequestType(bool deviceToHost, UsbRequestType type, UsbRecipient recipient)
        => (byte)((deviceToHost ? 0x80 : 0x00) | ((int)type << 5) | (int)recipient);

    /// <summary>Writes the packet in wire order (little-endian words) to <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 8 bytes.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("A SETUP packet needs 8 bytes.", nameof(destination));
        }

        destination[0] = RequestType;
        destination[1] = Request;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], Value);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Index);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Length);
    }

    /// <summary>Reads a packet in wire order from <paramref name="source"/>.</summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <returns>The packet.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 8 bytes.</exception>
    public static UsbSetupPacket Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException("A SETUP packet needs 8 bytes.", nameof(source));
        }

        return new UsbSetupPacket(
            source[0],
            source[1],
            System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(source[6..]));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"{RequestType:X2} {Request:X2} {Value:X4} {Index:X4} {Length:X4}";
}

/// <summary>The request type field of bmRequestType (USB 2.0 Table 9-2).</summary>
public enum UsbRequestType
{
    /// <summary>A standard request (USB 2.0 §9.4).</summary>
    Standard = 0,

    /// <summary>A class request, such as the DFU requests.</summary>
    Class = 1,

    /// <summary>A vendor request.</summary>
    Vendor = 2,

    /// <summary>Reserved.</summary>
    Reserved = 3,
}

/// <summary>The recipient field of bmRequestType (USB 2.0 Table 9-2).</summary>
public enum UsbRecipient
{
    /// <summary>The device.</summary>
    Device = 0,

    /// <summary>An interface; wIndex holds its number.</summary>
    Interface = 1,

    /// <summary>An endpoint; wIndex holds its address.</summary>
    Endpoint = 2,

    /// <summary>Other.</summary>
    Other = 3,
}
