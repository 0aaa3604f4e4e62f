using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

#pragma warning disable SA1300, IDE1006 // The fields carry the USB 2.0 spec's own names (Tables 9-8, 9-10, 9-12, 9-13), as lsusb and ST's STDFU.h print them.

namespace DfuSharp.Usb;

/// <summary>
/// The standard device descriptor (USB 2.0 §9.6.1, Table 9-8), field by field under the spec's names, with the bytes
/// it was parsed from. Made by <see cref="UsbDescriptorParser.ParseDevice"/>.
/// </summary>
[SuppressMessage("Naming", "CA1707", Justification = "USB 2.0 field names.")]
public sealed record UsbDeviceDescriptor
{
    /// <summary>The length of a device descriptor (bLength).</summary>
    public const int Size = 18;

    /// <summary>Gets bLength: the descriptor's size in bytes (18).</summary>
    public required byte bLength { get; init; }

    /// <summary>Gets bDescriptorType: DEVICE (0x01).</summary>
    public required byte bDescriptorType { get; init; }

    /// <summary>Gets bcdUSB: the USB specification release in BCD (0x0200 for USB 2.0).</summary>
    public required ushort bcdUSB { get; init; }

    /// <summary>Gets bDeviceClass (0: each interface names its own class).</summary>
    public required byte bDeviceClass { get; init; }

    /// <summary>Gets bDeviceSubClass.</summary>
    public required byte bDeviceSubClass { get; init; }

    /// <summary>Gets bDeviceProtocol.</summary>
    public required byte bDeviceProtocol { get; init; }

    /// <summary>Gets bMaxPacketSize0: the largest packet of endpoint zero (8, 16, 32 or 64).</summary>
    public required byte bMaxPacketSize0 { get; init; }

    /// <summary>Gets idVendor.</summary>
    public required ushort idVendor { get; init; }

    /// <summary>Gets idProduct.</summary>
    public required ushort idProduct { get; init; }

    /// <summary>Gets bcdDevice: the device release number in BCD.</summary>
    public required ushort bcdDevice { get; init; }

    /// <summary>Gets iManufacturer: the index of the manufacturer string, 0 for none.</summary>
    public required byte iManufacturer { get; init; }

    /// <summary>Gets iProduct: the index of the product string, 0 for none.</summary>
    public required byte iProduct { get; init; }

    /// <summary>Gets iSerialNumber: the index of the serial number string, 0 for none.</summary>
    public required byte iSerialNumber { get; init; }

    /// <summary>Gets bNumConfigurations.</summary>
    public required byte bNumConfigurations { get; init; }

    /// <summary>Gets the descriptor's bytes as the device sent them (bLength bytes).</summary>
    public ReadOnlyMemory<byte> RawBytes { get; init; }

    /// <summary>Parses a device descriptor; see <see cref="UsbDescriptorParser.ParseDevice"/>.</summary>
    /// <param name="descriptor">The bytes, starting with bLength.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="UsbDescriptorException">The bytes are not a well-formed device descriptor.</exception>
    public static UsbDeviceDescriptor Parse(ReadOnlySpan<byte> descriptor) => UsbDescriptorParser.ParseDevice(descriptor);

    /// <inheritdoc/>
    public bool Equals(UsbDeviceDescriptor? other) => other is not null && RawBytes.Span.SequenceEqual(other.RawBytes.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(idVendor, idProduct, bcdDevice, bcdUSB);
}

/// <summary>
/// A standard configuration descriptor (USB 2.0 §9.6.3, Table 9-10) with every interface descriptor (every alternate
/// setting of every interface) that its wTotalLength bytes hold. Made by <see cref="UsbDescriptorParser.ParseConfiguration"/>.
/// </summary>
[SuppressMessage("Naming", "CA1707", Justification = "USB 2.0 field names.")]
public sealed record UsbConfigurationDescriptor
{
    /// <summary>The length of the configuration descriptor itself (bLength).</summary>
    public const int Size = 9;

    /// <summary>Gets bLength: the size of the configuration descriptor itself (9).</summary>
    public required byte bLength { get; init; }

    /// <summary>Gets bDescriptorType: CONFIGURATION (0x02).</summary>
    public required byte bDescriptorType { get; init; }

    /// <summary>Gets wTotalLength: the size of the configuration with all its interface, endpoint and class descriptors.</summary>
    public required ushort wTotalLength { get; init; }

    /// <summary>Gets bNumInterfaces: the number of interfaces (alternate settings not counted).</summary>
    public required byte bNumInterfaces { get; init; }

    /// <summary>Gets bConfigurationValue: the value SET_CONFIGURATION selects this configuration with.</summary>
    public required byte bConfigurationValue { get; init; }

    /// <summary>Gets iConfiguration: the index of the configuration's string, 0 for none.</summary>
    public required byte iConfiguration { get; init; }

    /// <summary>Gets bmAttributes: bit 7 reserved (set), bit 6 self-powered, bit 5 remote wakeup.</summary>
    public required byte bmAttributes { get; init; }

    /// <summary>Gets bMaxPower: the bus current the device draws, in units of 2 mA.</summary>
    public required byte bMaxPower { get; init; }

    /// <summary>Gets every interface descriptor (each alternate setting of each interface), in descriptor order.</summary>
    public ImmutableArray<UsbInterfaceDescriptor> Interfaces { get; init; } = [];

    /// <summary>Gets the descriptors between the configuration descriptor and its first interface descriptor
    /// (for example an interface association, or a DFU functional descriptor some devices put there).</summary>
    public ReadOnlyMemory<byte> ExtraBytes { get; init; }

    /// <summary>Gets the whole configuration as the device sent it (wTotalLength bytes).</summary>
    public ReadOnlyMemory<byte> RawBytes { get; init; }

    /// <summary>Gets a value indicating whether bmAttributes says the device is self-powered (bit 6).</summary>
    public bool SelfPowered => (bmAttributes & 0x40) != 0;

    /// <summary>Gets a value indicating whether bmAttributes says the device supports remote wakeup (bit 5).</summary>
    public bool RemoteWakeup => (bmAttributes & 0x20) != 0;

    /// <summary>Gets the maximum bus current in milliamperes (bMaxPower × 2 mA for a USB 2.0 device).</summary>
    public int MaxPowerMilliamperes => bMaxPower * 2;

    /// <summary>Parses a configuration; see <see cref="UsbDescriptorParser.ParseConfiguration"/>.</summary>
    /// <param name="configuration">The bytes, starting with the configuration descriptor's bLength.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="UsbDescriptorException">The bytes are not a well-formed configuration.</exception>
    public static UsbConfigurationDescriptor Parse(ReadOnlySpan<byte> configuration) => UsbDescriptorParser.ParseConfiguration(configuration);

    /// <inheritdoc/>
    public bool Equals(UsbConfigurationDescriptor? other) => other is not null && RawBytes.Span.SequenceEqual(other.RawBytes.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(bConfigurationValue, wTotalLength, bNumInterfaces);
}

/// <summary>
/// A standard interface descriptor (USB 2.0 §9.6.5, Table 9-12): one alternate setting of one interface, with the
/// class-specific descriptors (a DFU functional descriptor, a HID descriptor) and endpoint descriptors that follow it.
/// </summary>
[SuppressMessage("Naming", "CA1707", Justification = "USB 2.0 field names.")]
public sealed record UsbInterfaceDescriptor
{
    /// <summary>The length of an interface descriptor (bLength).</summary>
    public const int Size = 9;

    /// <summary>Gets bLength: the descriptor's size (9).</summary>
    public required byte bLength { get; init; }

    /// <summary>Gets bDescriptorType: INTERFACE (0x04).</summary>
    public required byte bDescriptorType { get; init; }

    /// <summary>Gets bInterfaceNumber.</summary>
    public required byte bInterfaceNumber { get; init; }

    /// <summary>Gets bAlternateSetting.</summary>
    public required byte bAlternateSetting { get; init; }

    /// <summary>Gets bNumEndpoints: endpoints besides endpoint zero (a DFU interface has none).</summary>
    public required byte bNumEndpoints { get; init; }

    /// <summary>Gets bInterfaceClass (0xFE application specific for DFU, 0x03 HID).</summary>
    public required byte bInterfaceClass { get; init; }

    /// <summary>Gets bInterfaceSubClass (0x01 for DFU).</summary>
    public required byte bInterfaceSubClass { get; init; }

    /// <summary>Gets bInterfaceProtocol (for DFU: 1 run-time, 2 DFU mode; ST's DfuSe ROM reports 0).</summary>
    public required byte bInterfaceProtocol { get; init; }

    /// <summary>Gets iInterface: the index of the interface string (DfuSe puts its memory layout there), 0 for none.</summary>
    public required byte iInterface { get; init; }

    /// <summary>Gets the endpoint descriptors that follow this interface descriptor.</summary>
    public ImmutableArray<UsbEndpointDescriptor> Endpoints { get; init; } = [];

    /// <summary>Gets every descriptor between this interface descriptor and the next one (class-specific and endpoint
    /// descriptors), as the device sent them.</summary>
    public ReadOnlyMemory<byte> ExtraBytes { get; init; }

    /// <summary>Gets the interface descriptor's own bytes (bLength bytes).</summary>
    public ReadOnlyMemory<byte> RawBytes { get; init; }

    /// <summary>Gets the DFU functional descriptor among <see cref="ExtraBytes"/>, or <see langword="null"/> (ST's DfuSe
    /// ROM puts a single one after the last alternate setting only; see <see cref="UsbDeviceInfo.Configurations"/> for
    /// the one that applies).</summary>
    public DfuFunctionalDescriptor? DfuFunctional => bInterfaceClass == UsbAlternateSettingInfo.DfuClass
        ? DfuFunctionalDescriptor.Find(ExtraBytes.Span)
        : null;

    /// <inheritdoc/>
    public bool Equals(UsbInterfaceDescriptor? other)
        => other is not null && RawBytes.Span.SequenceEqual(other.RawBytes.Span) && ExtraBytes.Span.SequenceEqual(other.ExtraBytes.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(bInterfaceNumber, bAlternateSetting, bInterfaceClass, bInterfaceSubClass, bInterfaceProtocol);
}

/// <summary>A standard endpoint descriptor (USB 2.0 §9.6.6, Table 9-13).</summary>
[SuppressMessage("Naming", "CA1707", Justification = "USB 2.0 field names.")]
public sealed record UsbEndpointDescriptor
{
    /// <summary>The length of an endpoint descriptor (bLength; audio class endpoints are 9).</summary>
    public const int Size = 7;

    /// <summary>Gets bLength.</summary>
    public required byte bLength { get; init; }

    /// <summary>Gets bDescriptorType: ENDPOINT (0x05).</summary>
    public required byte bDescriptorType { get; init; }

    /// <summary>Gets bEndpointAddress: bit 7 the direction (set for IN), bits 3..0 the number.</summary>
    public required byte bEndpointAddress { get; init; }

    /// <summary>Gets bmAttributes: bits 1..0 the transfer type (0 control, 1 isochronous, 2 bulk, 3 interrupt).</summary>
    public required byte bmAttributes { get; init; }

    /// <summary>Gets wMaxPacketSize.</summary>
    public required ushort wMaxPacketSize { get; init; }

    /// <summary>Gets bInterval: the polling interval.</summary>
    public required byte bInterval { get; init; }

    /// <summary>Gets the descriptor's bytes (bLength bytes).</summary>
    public ReadOnlyMemory<byte> RawBytes { get; init; }

    /// <inheritdoc/>
    public bool Equals(UsbEndpointDescriptor? other) => other is not null && RawBytes.Span.SequenceEqual(other.RawBytes.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(bEndpointAddress, bmAttributes, wMaxPacketSize, bInterval);
}

/// <summary>
/// Every standard descriptor of a device: its device descriptor and each of its configurations (with their interface and
/// endpoint descriptors). The same for libusb, simulated and emulated devices: each hands its raw bytes to
/// <see cref="UsbDescriptorParser"/>. ST's AN1603 reads these with STDFU_GetDeviceDescriptor,
/// STDFU_GetConfigurationDescriptor, STDFU_GetNbOfInterfaces, STDFU_GetNbOfAlternates and STDFU_GetInterfaceDescriptor.
/// </summary>
/// <param name="Device">The device descriptor.</param>
/// <param name="Configurations">The configurations, in index order (GET_DESCRIPTOR index 0, 1, …).</param>
public sealed record UsbDescriptorSet(UsbDeviceDescriptor Device, ImmutableArray<UsbConfigurationDescriptor> Configurations)
{
    /// <summary>Parses a device descriptor and the configurations that go with it.</summary>
    /// <param name="device">The device descriptor's bytes.</param>
    /// <param name="configurations">Each configuration's bytes (wTotalLength each).</param>
    /// <returns>The descriptors.</returns>
    /// <exception cref="UsbDescriptorException">A descriptor is malformed.</exception>
    public static UsbDescriptorSet Parse(ReadOnlySpan<byte> device, IEnumerable<ReadOnlyMemory<byte>> configurations)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        UsbDeviceDescriptor parsed = UsbDescriptorParser.ParseDevice(device);
        return new UsbDescriptorSet(parsed, [.. configurations.Select(c => UsbDescriptorParser.ParseConfiguration(c.Span))]);
    }

    /// <summary>Returns the configuration with a bConfigurationValue, or <see langword="null"/>.</summary>
    /// <param name="configurationValue">bConfigurationValue.</param>
    /// <returns>The configuration.</returns>
    public UsbConfigurationDescriptor? GetConfiguration(byte configurationValue)
        => Configurations.FirstOrDefault(c => c.bConfigurationValue == configurationValue);

    /// <inheritdoc/>
    public bool Equals(UsbDescriptorSet? other)
        => other is not null && Device.Equals(other.Device) && Configurations.SequenceEqual(other.Configurations);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Device, Configurations.Length);
}
