using System.Buffers.Binary;
using Layout = DfuSharp.Formats.DfuLayout;

namespace DfuSharp.Formats;

/// <summary>
/// Recognises, strips and creates the vendor prefixes dfu-util's <c>dfu-prefix</c> writes before the firmware: the
/// TI Stellaris address header (<c>dfu-prefix -s ADDRESS</c>) and the NXP LPC unencrypted image header
/// (<c>dfu-prefix -L</c>). Both sit inside the part of the file the DFU suffix CRC covers.
/// </summary>
public static class DfuPrefixes
{
    /// <summary>The largest firmware an LPC header can describe: 65535 blocks of 512 bytes.</summary>
    public const int MaxLpcFirmwareLength = ushort.MaxValue * Layout.LpcPrefix.BlockSize;

    /// <summary>Creates the 16-byte NXP LPC header <c>dfu-prefix -L</c> writes for firmware of this length.</summary>
    /// <param name="firmwareLength">The length of the firmware that follows the header.</param>
    /// <returns><c>1A 3F</c>, the length in 512-byte blocks rounded up (u16), eight zero bytes and four 0xFF bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firmwareLength"/> is negative or above <see cref="MaxLpcFirmwareLength"/>.</exception>
    public static DfuPrefix CreateLpc(int firmwareLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firmwareLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firmwareLength, MaxLpcFirmwareLength);
        var bytes = new byte[Layout.LpcPrefix.Length];
        bytes[Layout.LpcPrefix.Control0] = Layout.LpcPrefix.Control0Value;
        bytes[Layout.LpcPrefix.Control1] = Layout.LpcPrefix.Control1Value;
        ushort blocks = (ushort)((firmwareLength + Layout.LpcPrefix.BlockSize - 1) / Layout.LpcPrefix.BlockSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Layout.LpcPrefix.Blocks), blocks);
        bytes.AsSpan(Layout.LpcPrefix.Reserved, Layout.LpcPrefix.ReservedLength).Fill(Layout.LpcPrefix.ReservedValue);
        return new DfuPrefix(DfuPrefixType.Lpc, bytes);
    }

    /// <summary>Creates the 8-byte TI Stellaris header <c>dfu-prefix -s ADDRESS</c> writes.</summary>
    /// <param name="address">The flash address the firmware goes to; a multiple of 1024 below 64 MiB.</param>
    /// <param name="payloadLength">The length of the firmware that follows the header.</param>
    /// <returns><c>01 00</c>, <paramref name="address"/> / 1024 (u16) and <paramref name="payloadLength"/> (u32).</returns>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not a multiple of 1024.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="address"/> / 1024 does not fit 16 bits, or <paramref name="payloadLength"/> is negative.</exception>
    public static DfuPrefix CreateStellaris(uint address, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (address % Layout.StellarisPrefix.AddressUnit != 0)
        {
            throw new ArgumentException($"A Stellaris prefix stores the address in KiB; 0x{address:X8} is not a multiple of 1024.", nameof(address));
        }

        uint kib = address / Layout.StellarisPrefix.AddressUnit;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kib, (uint)ushort.MaxValue, nameof(address));
        var bytes = new byte[Layout.StellarisPrefix.Length];
        bytes[Layout.StellarisPrefix.Magic0] = Layout.StellarisPrefix.Magic0Value;
        bytes[Layout.StellarisPrefix.Magic1] = Layout.StellarisPrefix.Magic1Value;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Layout.StellarisPrefix.AddressKiB), (ushort)kib);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Layout.StellarisPrefix.PayloadLength), (uint)payloadLength);
        return new DfuPrefix(DfuPrefixType.Stellaris, bytes);
    }

    /// <summary>Recognises a prefix at the start of a file's body (the bytes before the DFU suffix).</summary>
    /// <param name="body">The bytes before the suffix.</param>
    /// <returns>A copy of the prefix, or <see langword="null"/> when the body does not start with one.</returns>
    /// <remarks>
    /// A Stellaris header is recognised when it starts <c>01 00</c> and its payload length equals the bytes after it;
    /// an LPC header when its first two bytes are <c>1A 3F</c> under the mask 0x3F (the top bits carry the AES and
    /// hash flags) and its four reserved bytes are 0xFF. dfu-util checks only the first two bytes; the extra checks
    /// keep firmware that happens to start with 01 00 from losing its first bytes.
    /// </remarks>
    public static DfuPrefix? Detect(ReadOnlySpan<byte> body)
        => DetectType(body) is { } type ? new DfuPrefix(type, body[..LengthOf(type)].ToArray()) : null;

    /// <summary>Returns <paramref name="body"/> without its prefix, or unchanged when it has none.</summary>
    /// <param name="body">The bytes before the suffix.</param>
    /// <returns>The firmware after any recognised prefix (see <see cref="Detect"/>).</returns>
    public static ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> body)
        => DetectType(body) is { } type ? body[LengthOf(type)..] : body;

    /// <summary>Gets the length of a prefix of this type.</summary>
    /// <param name="type">The prefix type.</param>
    /// <returns>8 for Stellaris, 16 for LPC.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static int LengthOf(DfuPrefixType type) => type switch
    {
        DfuPrefixType.Stellaris => Layout.StellarisPrefix.Length,
        DfuPrefixType.Lpc => Layout.LpcPrefix.Length,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown prefix type."),
    };

    internal static DfuPrefixType? DetectType(ReadOnlySpan<byte> body)
    {
        if (body.Length >= Layout.StellarisPrefix.Length
            && body[Layout.StellarisPrefix.Magic0] == Layout.StellarisPrefix.Magic0Value
            && body[Layout.StellarisPrefix.Magic1] == Layout.StellarisPrefix.Magic1Value
            && BinaryPrimitives.ReadUInt32LittleEndian(body[Layout.StellarisPrefix.PayloadLength..])
               == (uint)(body.Length - Layout.StellarisPrefix.Length))
        {
            return DfuPrefixType.Stellaris;
        }

        if (body.Length >= Layout.LpcPrefix.Length
            && (body[Layout.LpcPrefix.Control0] & Layout.LpcPrefix.ControlMask) == Layout.LpcPrefix.Control0Value
            && (body[Layout.LpcPrefix.Control1] & Layout.LpcPrefix.ControlMask) == Layout.LpcPrefix.Control1Value
            && !body.Slice(Layout.LpcPrefix.Reserved, Layout.LpcPrefix.ReservedLength).ContainsAnyExcept(Layout.LpcPrefix.ReservedValue))
        {
            return DfuPrefixType.Lpc;
        }

        return null;
    }
}
