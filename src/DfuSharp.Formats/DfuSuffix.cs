namespace DfuSharp.Formats;

/// <summary>
/// The DFU file suffix (DFU 1.1 Appendix B): the device the firmware is for and the DFU version, followed on disk by
/// the "UFD" signature, bLength and dwCRC, which are computed when the file is written.
/// </summary>
public sealed record DfuSuffix
{
    /// <summary>The length of a standard suffix in bytes.</summary>
    public const int StandardLength = 16;

    /// <summary>The value of idVendor, idProduct or bcdDevice that matches any device.</summary>
    public const ushort Any = 0xFFFF;

    /// <summary>bcdDFU of DFU 1.0 files.</summary>
    public const ushort Dfu10 = 0x0100;

    /// <summary>bcdDFU of DFU 1.1 files.</summary>
    public const ushort Dfu11 = 0x0110;

    /// <summary>bcdDFU of ST DfuSe files (UM0391).</summary>
    public const ushort DfuSe = 0x011A;

    /// <summary>Gets bcdDevice, the firmware release the file is for; <see cref="Any"/> matches any.</summary>
    public ushort DeviceVersion { get; init; } = Any;

    /// <summary>Gets idProduct; <see cref="Any"/> matches any.</summary>
    public ushort ProductId { get; init; } = Any;

    /// <summary>Gets idVendor; <see cref="Any"/> matches any.</summary>
    public ushort VendorId { get; init; } = Any;

    /// <summary>Gets bcdDFU: <see cref="Dfu10"/>, <see cref="Dfu11"/> or <see cref="DfuSe"/>.</summary>
    public ushort DfuVersion { get; init; } = Dfu10;

    /// <summary>
    /// Gets the bytes of a suffix longer than 16 bytes (bLength &gt; 16, as fwupd writes) that precede bcdDevice.
    /// They are not firmware and are kept as they are.
    /// </summary>
    public ReadOnlyMemory<byte> Extra { get; init; }

    /// <summary>Gets bLength: 16 plus the extra bytes.</summary>
    public int Length => StandardLength + Extra.Length;

    /// <summary>Tells whether the file is meant for a device with these identifiers (0xFFFF in the suffix matches any).</summary>
    /// <param name="vendorId">The device's idVendor.</param>
    /// <param name="productId">The device's idProduct.</param>
    /// <param name="deviceVersion">The device's bcdDevice.</param>
    /// <returns><see langword="true"/> when every field matches or is <see cref="Any"/>.</returns>
    public bool Matches(ushort vendorId, ushort productId, ushort deviceVersion)
        => (VendorId == Any || VendorId == vendorId)
           && (ProductId == Any || ProductId == productId)
           && (DeviceVersion == Any || DeviceVersion == deviceVersion);

    /// <inheritdoc/>
    public bool Equals(DfuSuffix? other)
        => other is not null && DeviceVersion == other.DeviceVersion && ProductId == other.ProductId
           && VendorId == other.VendorId && DfuVersion == other.DfuVersion
           && Extra.Span.SequenceEqual(other.Extra.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DeviceVersion, ProductId, VendorId, DfuVersion, Extra.Length);
}
