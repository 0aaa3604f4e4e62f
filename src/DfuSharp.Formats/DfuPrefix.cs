using System.Buffers.Binary;

namespace DfuSharp.Formats;

/// <summary>The vendor prefixes dfu-util's <c>dfu-prefix</c> knows, which sit before the firmware and are covered by the CRC.</summary>
public enum DfuPrefixType
{
    /// <summary>NXP LPC unencrypted image header (16 bytes: <c>1A 3F</c>, 512-byte block count, 8 × 00, 4 × FF).</summary>
    Lpc,

    /// <summary>TI Stellaris header (8 bytes: <c>01 00</c>, address / 1024, payload length).</summary>
    Stellaris,
}

/// <summary>A vendor prefix, kept byte for byte as it was read or as it is to be written.</summary>
/// <param name="Type">Which prefix.</param>
/// <param name="Bytes">Its bytes.</param>
public sealed record DfuPrefix(DfuPrefixType Type, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>Gets the prefix's length in bytes.</summary>
    public int Length => Bytes.Length;

    /// <summary>Gets the flash address of a Stellaris prefix (its u16 field times 1024), or <see langword="null"/>.</summary>
    public uint? StellarisAddress => Type == DfuPrefixType.Stellaris && Bytes.Length >= DfuLayout.StellarisPrefix.Length
        ? DfuLayout.StellarisPrefix.AddressUnit * (uint)BinaryPrimitives.ReadUInt16LittleEndian(Bytes.Span[DfuLayout.StellarisPrefix.AddressKiB..])
        : null;

    /// <summary>Gets the payload length a Stellaris prefix declares, or <see langword="null"/>.</summary>
    public uint? StellarisPayloadLength => Type == DfuPrefixType.Stellaris && Bytes.Length >= DfuLayout.StellarisPrefix.Length
        ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes.Span[DfuLayout.StellarisPrefix.PayloadLength..])
        : null;

    /// <summary>Gets the image size in 512-byte blocks an LPC prefix declares, or <see langword="null"/>.</summary>
    public ushort? LpcBlockCount => Type == DfuPrefixType.Lpc && Bytes.Length >= DfuLayout.LpcPrefix.Length
        ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes.Span[DfuLayout.LpcPrefix.Blocks..])
        : null;

    /// <inheritdoc/>
    public bool Equals(DfuPrefix? other)
        => other is not null && Type == other.Type && Bytes.Span.SequenceEqual(other.Bytes.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Bytes.Length);
}
