using System.Buffers.Binary;
using System.Collections.Immutable;

namespace DfuSharp.Usb;

/// <summary>
/// The one place that reads USB standard descriptors from bytes (USB 2.0 §9.5, §9.6): the device descriptor, a
/// configuration with its interface and endpoint descriptors, and string descriptor 0 (the language ids). libusb,
/// the simulator and the emulator all hand it raw bytes. Pure: no I/O. Structure is checked strictly (lengths, types,
/// wTotalLength); the counts (bNumInterfaces, bNumEndpoints) are reported as the device gives them, since hosts accept
/// devices whose counts are off, as libusb does with a warning.
/// </summary>
public static class UsbDescriptorParser
{
    // Offsets in the device descriptor (USB 2.0 Table 9-8).
    private const int BcdUsbOffset = 2;
    private const int DeviceClassOffset = 4;
    private const int DeviceSubClassOffset = 5;
    private const int DeviceProtocolOffset = 6;
    private const int MaxPacketSize0Offset = 7;
    private const int IdVendorOffset = 8;
    private const int IdProductOffset = 10;
    private const int BcdDeviceOffset = 12;
    private const int ManufacturerOffset = 14;
    private const int ProductOffset = 15;
    private const int SerialNumberOffset = 16;
    private const int NumConfigurationsOffset = 17;

    // Offsets in the configuration descriptor (Table 9-10).
    private const int TotalLengthOffset = 2;
    private const int NumInterfacesOffset = 4;
    private const int ConfigurationValueOffset = 5;
    private const int ConfigurationStringOffset = 6;
    private const int ConfigurationAttributesOffset = 7;
    private const int MaxPowerOffset = 8;

    // Offsets in the interface descriptor (Table 9-12).
    private const int InterfaceNumberOffset = 2;
    private const int AlternateSettingOffset = 3;
    private const int NumEndpointsOffset = 4;
    private const int InterfaceClassOffset = 5;
    private const int InterfaceSubClassOffset = 6;
    private const int InterfaceProtocolOffset = 7;
    private const int InterfaceStringOffset = 8;

    // Offsets in the endpoint descriptor (Table 9-13).
    private const int EndpointAddressOffset = 2;
    private const int EndpointAttributesOffset = 3;
    private const int MaxPacketSizeOffset = 4;
    private const int IntervalOffset = 6;

    /// <summary>Parses a device descriptor (USB 2.0 §9.6.1).</summary>
    /// <param name="descriptor">The bytes, starting with bLength; bytes past bLength are ignored.</param>
    /// <returns>The descriptor, holding a copy of its bLength bytes.</returns>
    /// <exception cref="UsbDescriptorException">The bytes are shorter than 18, bLength is below 18 or past the end,
    /// or bDescriptorType is not DEVICE.</exception>
    public static UsbDeviceDescriptor ParseDevice(ReadOnlySpan<byte> descriptor)
    {
        ReadOnlySpan<byte> d = Header(descriptor, 0, UsbStandard.DeviceDescriptor, UsbDeviceDescriptor.Size, "device descriptor");
        return new UsbDeviceDescriptor
        {
            bLength = d[0],
            bDescriptorType = d[1],
            bcdUSB = BinaryPrimitives.ReadUInt16LittleEndian(d[BcdUsbOffset..]),
            bDeviceClass = d[DeviceClassOffset],
            bDeviceSubClass = d[DeviceSubClassOffset],
            bDeviceProtocol = d[DeviceProtocolOffset],
            bMaxPacketSize0 = d[MaxPacketSize0Offset],
            idVendor = BinaryPrimitives.ReadUInt16LittleEndian(d[IdVendorOffset..]),
            idProduct = BinaryPrimitives.ReadUInt16LittleEndian(d[IdProductOffset..]),
            bcdDevice = BinaryPrimitives.ReadUInt16LittleEndian(d[BcdDeviceOffset..]),
            iManufacturer = d[ManufacturerOffset],
            iProduct = d[ProductOffset],
            iSerialNumber = d[SerialNumberOffset],
            bNumConfigurations = d[NumConfigurationsOffset],
            RawBytes = d.ToArray(),
        };
    }

    /// <summary>
    /// Parses a configuration (USB 2.0 §9.6.3): the configuration descriptor, then every descriptor of its wTotalLength
    /// bytes, each interface descriptor (§9.6.5) with the class-specific and endpoint descriptors (§9.6.6) after it.
    /// </summary>
    /// <param name="configuration">The bytes, starting with the configuration descriptor; bytes past wTotalLength are ignored.</param>
    /// <returns>The configuration, holding a copy of its wTotalLength bytes.</returns>
    /// <exception cref="UsbDescriptorException">A descriptor is truncated, has a bLength below 2 (or below the size
    /// of its type), runs past wTotalLength, or the configuration descriptor's type or wTotalLength is wrong.</exception>
    public static UsbConfigurationDescriptor ParseConfiguration(ReadOnlySpan<byte> configuration)
    {
        const byte type = UsbStandard.ConfigurationDescriptor;
        ReadOnlySpan<byte> header = Header(configuration, 0, type, UsbConfigurationDescriptor.Size, "configuration descriptor");
        int total = BinaryPrimitives.ReadUInt16LittleEndian(header[TotalLengthOffset..]);
        if (total < header.Length)
        {
            throw new UsbDescriptorException(type, TotalLengthOffset, $"wTotalLength {total} is shorter than the configuration descriptor's bLength {header.Length}");
        }

        if (total > configuration.Length)
        {
            throw new UsbDescriptorException(type, TotalLengthOffset, $"wTotalLength {total} runs past the {configuration.Length} bytes given");
        }

        ReadOnlySpan<byte> all = configuration[..total];
        byte[] raw = all.ToArray();
        var interfaces = ImmutableArray.CreateBuilder<UsbInterfaceDescriptor>();
        int offset = header.Length;
        int firstInterface = NextInterface(all, offset);
        offset = firstInterface;
        while (offset < total)
        {
            ReadOnlySpan<byte> own = Header(all, offset, UsbStandard.InterfaceDescriptor, UsbInterfaceDescriptor.Size, "interface descriptor");
            int extraStart = offset + own.Length;
            int next = NextInterface(all, extraStart);
            interfaces.Add(ParseInterface(all, offset, own, raw.AsMemory(extraStart, next - extraStart)));
            offset = next;
        }

        return new UsbConfigurationDescriptor
        {
            bLength = header[0],
            bDescriptorType = header[1],
            wTotalLength = (ushort)total,
            bNumInterfaces = header[NumInterfacesOffset],
            bConfigurationValue = header[ConfigurationValueOffset],
            iConfiguration = header[ConfigurationStringOffset],
            bmAttributes = header[ConfigurationAttributesOffset],
            bMaxPower = header[MaxPowerOffset],
            Interfaces = interfaces.ToImmutable(),
            ExtraBytes = raw.AsMemory(header.Length, firstInterface - header.Length),
            RawBytes = raw,
        };
    }

    /// <summary>Parses string descriptor 0: the language ids the device's strings come in (USB 2.0 §9.6.7, Table 9-15).</summary>
    /// <param name="descriptor">The bytes the device sent, starting with bLength.</param>
    /// <returns>The language ids (LANGIDs), in the device's order; empty when bLength is 2.</returns>
    /// <exception cref="UsbDescriptorException">The bytes are truncated, bLength is odd or past the end, or the type
    /// is not STRING.</exception>
    public static ImmutableArray<ushort> ParseLanguageIds(ReadOnlySpan<byte> descriptor)
    {
        const byte type = UsbStandard.StringDescriptor;
        ReadOnlySpan<byte> d = Header(descriptor, 0, type, 2, "string descriptor 0");
        if (d.Length % 2 != 0)
        {
            throw new UsbDescriptorException(type, 0, $"bLength {d.Length} is odd: string descriptor 0 holds 16-bit language ids");
        }

        var ids = ImmutableArray.CreateBuilder<ushort>((d.Length - 2) / 2);
        for (int i = 2; i < d.Length; i += 2)
        {
            ids.Add(BinaryPrimitives.ReadUInt16LittleEndian(d[i..]));
        }

        return ids.MoveToImmutable();
    }

    /// <summary>
    /// Checks the descriptor at <paramref name="offset"/>: at least two bytes, bLength at least
    /// <paramref name="minimumLength"/> and within the bytes, bDescriptorType <paramref name="type"/>.
    /// </summary>
    private static ReadOnlySpan<byte> Header(ReadOnlySpan<byte> bytes, int offset, byte type, int minimumLength, string what)
    {
        if (bytes.Length - offset < 2)
        {
            throw new UsbDescriptorException(type, offset, $"The {what} is truncated: {bytes.Length - offset} byte(s) where at least {minimumLength} are needed");
        }

        if (bytes[offset + 1] != type)
        {
            throw new UsbDescriptorException(type, offset + 1, $"The {what} has bDescriptorType 0x{bytes[offset + 1]:X2}, not 0x{type:X2}");
        }

        int length = bytes[offset];
        if (length < minimumLength)
        {
            throw new UsbDescriptorException(type, offset, $"The {what} has bLength {length}, below its minimum of {minimumLength}");
        }

        if (length > bytes.Length - offset)
        {
            throw new UsbDescriptorException(type, offset, $"The {what}'s bLength {length} runs past the end ({bytes.Length - offset} byte(s) left)");
        }

        return bytes.Slice(offset, length);
    }

    /// <summary>Walks the descriptors from <paramref name="offset"/> to the next interface descriptor or the end, checking each one's length.</summary>
    private static int NextInterface(ReadOnlySpan<byte> all, int offset)
    {
        while (offset < all.Length)
        {
            if (all.Length - offset < 2)
            {
                throw new UsbDescriptorException(UsbStandard.ConfigurationDescriptor, offset, $"A descriptor inside the configuration is truncated: 1 byte left of wTotalLength {all.Length}");
            }

            int length = all[offset];
            if (length < 2)
            {
                throw new UsbDescriptorException(all[offset + 1], offset, $"A descriptor inside the configuration has bLength {length}");
            }

            if (length > all.Length - offset)
            {
                throw new UsbDescriptorException(all[offset + 1], offset, $"A descriptor's bLength {length} runs past wTotalLength {all.Length}");
            }

            if (all[offset + 1] == UsbStandard.InterfaceDescriptor)
            {
                return offset;
            }

            offset += length;
        }

        return offset;
    }

    private static UsbInterfaceDescriptor ParseInterface(ReadOnlySpan<byte> all, int offset, ReadOnlySpan<byte> own, ReadOnlyMemory<byte> extra)
    {
        var endpoints = ImmutableArray.CreateBuilder<UsbEndpointDescriptor>();
        int at = offset + own.Length;
        int end = at + extra.Length;
        while (at < end)
        {
            if (all[at + 1] == UsbStandard.EndpointDescriptor)
            {
                ReadOnlySpan<byte> e = Header(all, at, UsbStandard.EndpointDescriptor, UsbEndpointDescriptor.Size, "endpoint descriptor");
                endpoints.Add(new UsbEndpointDescriptor
                {
                    bLength = e[0],
                    bDescriptorType = e[1],
                    bEndpointAddress = e[EndpointAddressOffset],
                    bmAttributes = e[EndpointAttributesOffset],
                    wMaxPacketSize = BinaryPrimitives.ReadUInt16LittleEndian(e[MaxPacketSizeOffset..]),
                    bInterval = e[IntervalOffset],
                    RawBytes = e.ToArray(),
                });
            }

            at += all[at];
        }

        return new UsbInterfaceDescriptor
        {
            bLength = own[0],
            bDescriptorType = own[1],
            bInterfaceNumber = own[InterfaceNumberOffset],
            bAlternateSetting = own[AlternateSettingOffset],
            bNumEndpoints = own[NumEndpointsOffset],
            bInterfaceClass = own[InterfaceClassOffset],
            bInterfaceSubClass = own[InterfaceSubClassOffset],
            bInterfaceProtocol = own[InterfaceProtocolOffset],
            iInterface = own[InterfaceStringOffset],
            Endpoints = endpoints.ToImmutable(),
            ExtraBytes = extra,
            RawBytes = own.ToArray(),
        };
    }

    /// <summary>
    /// Decodes a string descriptor. USB 2.0 §9.6.7 says UTF-16LE, but GigaDevice GD32 parts send their serial number
    /// as plain UTF-8 bytes in the descriptor; such text is recognised and decoded as UTF-8.
    /// </summary>
    /// <param name="descriptor">The bytes the device sent, starting with bLength.</param>
    /// <param name="wasUtf8">Set when the text had to be read as UTF-8.</param>
    /// <returns>The text (empty for an empty or malformed descriptor).</returns>
    public static string DecodeString(ReadOnlySpan<byte> descriptor, out bool wasUtf8)
    {
        wasUtf8 = false;
        if (descriptor.Length < 2 || descriptor[1] != UsbStandard.StringDescriptor)
        {
            return string.Empty;
        }

        ReadOnlySpan<byte> payload = descriptor[2..Math.Min(descriptor.Length, Math.Max((int)descriptor[0], 2))];
        if (LooksLikeUtf8(payload))
        {
            wasUtf8 = true;
            return System.Text.Encoding.UTF8.GetString(payload).TrimEnd('\0');
        }

        return System.Text.Encoding.Unicode.GetString(payload[..(payload.Length & ~1)]).TrimEnd('\0');
    }

    /// <summary>
    /// True for text that is UTF-8 posing as UTF-16: an odd byte count, or every byte printable ASCII so that no
    /// UTF-16 code unit has the zero high byte real ASCII text would have (GD32 serials such as "3276387B3335").
    /// Genuine UTF-16 text outside Latin-1 (CJK product names) nearly always has a byte outside 0x20..0x7E.
    /// </summary>
    private static bool LooksLikeUtf8(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0)
        {
            return false;
        }

        bool allPrintable = true;
        foreach (byte b in payload)
        {
            allPrintable &= b is >= 0x20 and <= 0x7E;
        }

        if (allPrintable && payload.Length >= 2)
        {
            return true;
        }

        return payload.Length % 2 == 1 && payload.IndexOf((byte)0) < 0 && System.Text.Unicode.Utf8.IsValid(payload);
    }
}
