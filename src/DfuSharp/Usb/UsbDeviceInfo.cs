using System.Collections.Immutable;

namespace DfuSharp.Usb;

/// <summary>
/// What the host knows about one USB device without talking DFU to it: identity, strings,
/// where it is plugged in, and its configurations.
/// </summary>
public sealed record UsbDeviceInfo
{
    /// <summary>Gets the vendor id (idVendor).</summary>
    public required ushort VendorId { get; init; }

    /// <summary>Gets the product id (idProduct).</summary>
    public required ushort ProductId { get; init; }

    /// <summary>Gets the device release number (bcdDevice).</summary>
    public ushort DeviceVersion { get; init; }

    /// <summary>Gets the USB specification release (bcdUSB).</summary>
    public ushort UsbVersion { get; init; } = 0x0200;

    /// <summary>Gets the maximum packet size of endpoint zero (bMaxPacketSize0).</summary>
    public byte MaxPacketSize0 { get; init; } = 64;

    /// <summary>Gets the manufacturer string, or <see langword="null"/> when the device has none or it could not be read.</summary>
    public string? Manufacturer { get; init; }

    /// <summary>Gets the product string, or <see langword="null"/>.</summary>
    public string? Product { get; init; }

    /// <summary>Gets the serial number string, or <see langword="null"/>.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Gets the bus number, or 0 when unknown (simulated devices).</summary>
    public int BusNumber { get; init; }

    /// <summary>Gets the device address on its bus, or 0 when unknown.</summary>
    public int DeviceAddress { get; init; }

    /// <summary>
    /// Gets the port path in dfu-util's form, <c>BUS-PORT.PORT…</c> (for example <c>1-1.4</c>),
    /// or a provider-specific stable name (for example <c>sim:stm32f4</c>).
    /// </summary>
    public string PortPath { get; init; } = string.Empty;

    /// <summary>Gets the device's configurations.</summary>
    public ImmutableArray<UsbConfigurationInfo> Configurations { get; init; } = [];

    /// <summary>
    /// Gets every standard descriptor of the device under the USB 2.0 spec's field names (the device descriptor, each
    /// configuration with every interface and alternate setting), with their raw bytes; <see langword="null"/> when the
    /// provider could not read them. libusb, the simulator and the emulator fill it alike, through
    /// <see cref="UsbDescriptorParser"/>.
    /// </summary>
    public UsbDescriptorSet? Descriptors { get; init; }

    /// <summary>Gets every DFU interface alternate setting in every configuration, in descriptor order.</summary>
    public IEnumerable<DfuInterfaceInfo> DfuInterfaces =>
        Configurations.SelectMany(c => c.Interfaces.SelectMany(i => i.AlternateSettings
            .Where(a => a.IsDfu)
            .Select(a => new DfuInterfaceInfo(c.Value, i.Number, a))));

    /// <summary>Gets a short identity for messages: <c>VID:PID</c> with serial and path.</summary>
    public string DisplayName =>
        $"{VendorId:x4}:{ProductId:x4}" +
        (SerialNumber is { Length: > 0 } s ? $" serial \"{s}\"" : string.Empty) +
        (PortPath.Length > 0 ? $" at {PortPath}" : string.Empty);
}

/// <summary>One configuration of a USB device.</summary>
/// <param name="Value">bConfigurationValue.</param>
/// <param name="Interfaces">The interfaces, each with its alternate settings.</param>
public sealed record UsbConfigurationInfo(byte Value, ImmutableArray<UsbInterfaceInfo> Interfaces);

/// <summary>One interface of a configuration.</summary>
/// <param name="Number">bInterfaceNumber.</param>
/// <param name="AlternateSettings">Its alternate settings; DfuSe devices expose one per memory.</param>
public sealed record UsbInterfaceInfo(byte Number, ImmutableArray<UsbAlternateSettingInfo> AlternateSettings);

/// <summary>One alternate setting of an interface.</summary>
public sealed record UsbAlternateSettingInfo
{
    /// <summary>The DFU interface class code (DFU 1.1 §4.2.1: application specific).</summary>
    public const byte DfuClass = 0xFE;

    /// <summary>The DFU interface subclass code.</summary>
    public const byte DfuSubClass = 0x01;

    /// <summary>Gets bAlternateSetting.</summary>
    public required byte Number { get; init; }

    /// <summary>Gets bInterfaceClass.</summary>
    public required byte InterfaceClass { get; init; }

    /// <summary>Gets bInterfaceSubClass.</summary>
    public required byte InterfaceSubClass { get; init; }

    /// <summary>Gets bInterfaceProtocol (for DFU: 1 run-time, 2 DFU mode; ST's ROM reports 0 in DFU mode).</summary>
    public required byte InterfaceProtocol { get; init; }

    /// <summary>Gets the interface string (iInterface); DfuSe puts its memory layout here.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the DFU functional descriptor, or <see langword="null"/> when the setting has none.</summary>
    public DfuFunctionalDescriptor? Dfu { get; init; }

    /// <summary>Gets the class-specific and other extra descriptor bytes that follow the interface descriptor.</summary>
    public ReadOnlyMemory<byte> ExtraDescriptors { get; init; }

    /// <summary>Gets a value indicating whether this is a DFU interface (class 0xFE, subclass 0x01).</summary>
    public bool IsDfu => InterfaceClass == DfuClass && InterfaceSubClass == DfuSubClass;

    /// <summary>Gets the DFU mode this setting advertises.</summary>
    public DfuMode Mode => !IsDfu ? DfuMode.None : InterfaceProtocol == 1 ? DfuMode.Runtime : DfuMode.Dfu;

    /// <inheritdoc/>
    public bool Equals(UsbAlternateSettingInfo? other)
        => other is not null && Number == other.Number && InterfaceClass == other.InterfaceClass
           && InterfaceSubClass == other.InterfaceSubClass && InterfaceProtocol == other.InterfaceProtocol
           && Name == other.Name && Dfu == other.Dfu
           && ExtraDescriptors.Span.SequenceEqual(other.ExtraDescriptors.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Number, InterfaceClass, InterfaceSubClass, InterfaceProtocol, Name, Dfu);
}

/// <summary>Whether a DFU interface is in run-time mode or DFU mode (DFU 1.1 §4.2.1, §4.2.3).</summary>
public enum DfuMode
{
    /// <summary>Not a DFU interface.</summary>
    None = 0,

    /// <summary>Run-time mode (bInterfaceProtocol 1): the application runs and accepts DFU_DETACH.</summary>
    Runtime,

    /// <summary>DFU mode (bInterfaceProtocol 2, or 0 on ST's DfuSe ROM): the bootloader runs.</summary>
    Dfu,
}

/// <summary>A DFU alternate setting together with where it lives.</summary>
/// <param name="ConfigurationValue">bConfigurationValue of its configuration.</param>
/// <param name="InterfaceNumber">bInterfaceNumber.</param>
/// <param name="Setting">The alternate setting.</param>
public sealed record DfuInterfaceInfo(byte ConfigurationValue, byte InterfaceNumber, UsbAlternateSettingInfo Setting);
