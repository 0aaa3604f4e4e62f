using System.Buffers.Binary;

namespace DfuSharp.Usb;

/// <summary>The DFU functional descriptor (DFU 1.1 §4.1.3, descriptor type 0x21).</summary>
/// <param name="Attributes">bmAttributes.</param>
/// <param name="DetachTimeout">wDetachTimeOut in milliseconds: how long the device waits for a reset after DFU_DETACH.</param>
/// <param name="TransferSize">wTransferSize: the largest DNLOAD/UPLOAD block the device accepts.</param>
/// <param name="DfuVersion">bcdDFUVersion: 0x0100, 0x0110, or 0x011A for ST DfuSe.</param>
public sealed record DfuFunctionalDescriptor(DfuAttributes Attributes, ushort DetachTimeout, ushort TransferSize, ushort DfuVersion)
{
    /// <summary>The descriptor type of the DFU functional descriptor.</summary>
    public const byte DescriptorType = 0x21;

    /// <summary>The descriptor's length in DFU 1.1 (a DFU 1.0 descriptor may be 7 bytes, without bcdDFUVersion).</summary>
    public const byte Length = 9;

    /// <summary>Gets a value indicating whether the device accepts DFU_DNLOAD.</summary>
    public bool CanDownload => (Attributes & DfuAttributes.CanDownload) != 0;

    /// <summary>Gets a value indicating whether the device accepts DFU_UPLOAD.</summary>
    public bool CanUpload => (Attributes & DfuAttributes.CanUpload) != 0;

    /// <summary>Gets a value indicating whether the device stays usable after manifestation.</summary>
    public bool ManifestationTolerant => (Attributes & DfuAttributes.ManifestationTolerant) != 0;

    /// <summary>Gets a value indicating whether the device detaches and re-attaches by itself on DFU_DETACH.</summary>
    public bool WillDetach => (Attributes & DfuAttributes.WillDetach) != 0;

    /// <summary>Gets a value indicating whether this is an ST DfuSe device (bcdDFUVersion 0x011A).</summary>
    public bool IsDfuSe => DfuVersion == 0x011A;

    /// <summary>Parses a functional descriptor.</summary>
    /// <param name="descriptor">The descriptor bytes, starting with bLength.</param>
    /// <returns>The descriptor, or <see langword="null"/> when the bytes are not a DFU functional descriptor.</returns>
    public static DfuFunctionalDescriptor? TryParse(ReadOnlySpan<byte> descriptor)
    {
        if (descriptor.Length < 7 || descriptor[1] != DescriptorType || descriptor[0] < 7 || descriptor[0] > descriptor.Length)
        {
            return null;
        }

        ushort version = descriptor[0] >= 9 ? BinaryPrimitives.ReadUInt16LittleEndian(descriptor[7..]) : (ushort)0x0100;
        return new DfuFunctionalDescriptor(
            (DfuAttributes)descriptor[2],
            BinaryPrimitives.ReadUInt16LittleEndian(descriptor[3..]),
            BinaryPrimitives.ReadUInt16LittleEndian(descriptor[5..]),
            version);
    }

    /// <summary>Finds the functional descriptor among the extra descriptors that follow an interface descriptor.</summary>
    /// <param name="extra">Zero or more concatenated descriptors.</param>
    /// <returns>The first DFU functional descriptor, or <see langword="null"/>.</returns>
    public static DfuFunctionalDescriptor? Find(ReadOnlySpan<byte> extra)
    {
        while (extra.Length >= 2 && extra[0] >= 2 && extra[0] <= extra.Length)
        {
            if (extra[1] == DescriptorType && TryParse(extra[..extra[0]]) is { } found)
            {
                return found;
            }

            extra = extra[extra[0]..];
        }

        return null;
    }

    /// <summary>Writes the 9-byte descriptor.</summary>
    /// <param name="destination">At least 9 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 9 bytes.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException("A DFU functional descriptor needs 9 bytes.", nameof(destination));
        }

        destination[0] = Length;
        destination[1] = DescriptorType;
        destination[2] = (byte)Attributes;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[3..], DetachTimeout);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], TransferSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[7..], DfuVersion);
    }
}

/// <summary>bmAttributes of the DFU functional descriptor (DFU 1.1 §4.1.3).</summary>
[Flags]
public enum DfuAttributes : byte
{
    /// <summary>No capability.</summary>
    None = 0,

    /// <summary>bitCanDnload: the device accepts downloads.</summary>
    CanDownload = 0x01,

    /// <summary>bitCanUpload: the device accepts uploads.</summary>
    CanUpload = 0x02,

    /// <summary>bitManifestationTolerant: the device can talk over USB after manifestation.</summary>
    ManifestationTolerant = 0x04,

    /// <summary>bitWillDetach: the device detaches on DFU_DETACH without waiting for a USB reset (DFU 1.1).</summary>
    WillDetach = 0x08,
}
