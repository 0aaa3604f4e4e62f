using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>Builds the standard descriptors of a simulated device (USB 2.0 §9.6, DFU 1.1 §4.1.3 and §4.2).</summary>
internal static class SimulatedDescriptors
{
    internal const byte HidDescriptorLength = 9;
    internal const byte EndpointDescriptorLength = 7;

    // The HID application's interrupt IN endpoint (HID 1.11 §4.4: every HID interface has one).
    internal const byte HidInEndpoint = 0x81;
    internal const byte DeviceDescriptorLength = 18;
    internal const byte ConfigurationDescriptorLength = 9;
    internal const byte InterfaceDescriptorLength = 9;
    internal const byte ConfigurationValue = 1;
    internal const byte DfuInterfaceNumber = 0;
    internal const byte ManufacturerIndex = 1;
    internal const byte ProductIndex = 2;
    internal const byte SerialIndex = 3;
    internal const byte FirstInterfaceStringIndex = 4;
    internal const ushort EnglishUnitedStates = UsbStandard.EnglishUnitedStates;
    internal const byte MaxPacketSize0 = 64;

    // Offsets in the device descriptor (USB 2.0 Table 9-8).
    private const int BcdUsbOffset = 2;
    private const int IdVendorOffset = 8;
    private const int IdProductOffset = 10;
    private const int BcdDeviceOffset = 12;

    /// <summary>Returns the string index the device uses for a vendor status text (errVENDOR's iString).</summary>
    internal static byte StatusStringIndex(SimulatedDeviceProfile profile)
        => (byte)(FirstInterfaceStringIndex + profile.AlternateSettings.Length);

    internal static byte[] Device(SimulatedDeviceProfile profile, string? serial)
    {
        var d = new byte[DeviceDescriptorLength];
        d[0] = DeviceDescriptorLength;
        d[1] = UsbStandard.DeviceDescriptor;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(BcdUsbOffset), 0x0200);
        d[7] = MaxPacketSize0;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(IdVendorOffset), profile.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(IdProductOffset), profile.ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(BcdDeviceOffset), profile.DeviceVersion);
        d[14] = profile.Manufacturer is null ? (byte)0 : ManufacturerIndex;
        d[15] = profile.Product is null ? (byte)0 : ProductIndex;
        d[16] = serial is null ? (byte)0 : SerialIndex;
        d[17] = 1;
        return d;
    }

    internal static byte[] Functional(SimulatedDeviceProfile profile)
    {
        var f = new byte[DfuFunctionalDescriptor.Length];
        profile.FunctionalDescriptor.WriteTo(f);
        return f;
    }

    /// <summary>The HID descriptor (HID 1.11 §6.2.1): bcdHID 1.11, no country, one report descriptor.</summary>
    internal static byte[] Hid(SimulatedDeviceProfile profile)
    {
        var h = new byte[HidDescriptorLength];
        h[0] = HidDescriptorLength;
        h[1] = UsbStandard.ClassDescriptor;
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), 0x0111);
        h[4] = 0;
        h[5] = 1;
        h[6] = UsbStandard.HidReportDescriptor;
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(7), (ushort)profile.HidReportDescriptor.Length);
        return h;
    }

    internal static byte[] Configuration(SimulatedDeviceProfile profile)
    {
        if (profile.IsHid)
        {
            return Wrap(
            [
                .. HidInterface(profile),
                .. Hid(profile),
                EndpointDescriptorLength, UsbStandard.EndpointDescriptor, HidInEndpoint, 0x03, 64, 0, 10,
            ]);
        }

        byte[] functional = Functional(profile);
        var body = new List<byte>();
        for (int alt = 0; alt < profile.AlternateSettings.Length; alt++)
        {
            body.AddRange(Interface(profile, alt));
            if (profile.FunctionalDescriptorAfterEachSetting || alt == profile.AlternateSettings.Length - 1)
            {
                body.AddRange(functional);
            }
        }

        return Wrap([.. body]);
    }

    private static byte[] Wrap(byte[] body)
    {
        var c = new byte[ConfigurationDescriptorLength + body.Length];
        c[0] = ConfigurationDescriptorLength;
        c[1] = UsbStandard.ConfigurationDescriptor;
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(2), (ushort)c.Length);
        c[4] = 1;
        c[5] = ConfigurationValue;
        c[7] = 0x80;
        c[8] = 50;
        body.CopyTo(c, ConfigurationDescriptorLength);
        return c;
    }

    // A HID interface with one interrupt endpoint, no boot subclass, no boot protocol (HID 1.11 §4.2, §4.3).
    internal static byte[] HidInterface(SimulatedDeviceProfile profile) =>
    [
        InterfaceDescriptorLength, UsbStandard.InterfaceDescriptor, DfuInterfaceNumber, 0, 1, UsbStandard.HidClass, 0, 0, FirstInterfaceStringIndex,
    ];

    internal static byte[] Interface(SimulatedDeviceProfile profile, int alt) =>
    [
        InterfaceDescriptorLength, UsbStandard.InterfaceDescriptor, DfuInterfaceNumber, (byte)alt, 0,
        UsbAlternateSettingInfo.DfuClass, UsbAlternateSettingInfo.DfuSubClass, profile.InterfaceProtocol,
        (byte)(FirstInterfaceStringIndex + alt),
    ];

    internal static string? StringAt(SimulatedDeviceProfile profile, string? serial, string? statusText, int index)
    {
        if (index == ManufacturerIndex)
        {
            return profile.Manufacturer;
        }

        if (index == ProductIndex)
        {
            return profile.Product;
        }

        if (index == SerialIndex)
        {
            return serial;
        }

        int alt = index - FirstInterfaceStringIndex;
        if (alt >= 0 && alt < profile.AlternateSettings.Length)
        {
            return profile.AlternateSettings[alt].Name;
        }

        return index == StatusStringIndex(profile) ? statusText : null;
    }

    /// <summary>Encodes a string descriptor (UTF-16LE), or the language-id list for index 0.</summary>
    internal static byte[] String(string? text, int index)
    {
        if (index == 0)
        {
            return [4, UsbStandard.StringDescriptor, EnglishUnitedStates & 0xFF, EnglishUnitedStates >> 8];
        }

        ArgumentNullException.ThrowIfNull(text);

        // bLength is one byte: at most 126 UTF-16 code units fit.
        string clipped = text.Length > 126 ? text[..126] : text;
        byte[] utf16 = Encoding.Unicode.GetBytes(clipped);
        var d = new byte[2 + utf16.Length];
        d[0] = (byte)d.Length;
        d[1] = UsbStandard.StringDescriptor;
        utf16.CopyTo(d, 2);
        return d;
    }

    private static List<byte> ExtraWithoutEndpoints(ReadOnlySpan<byte> descriptors)
    {
        var kept = new List<byte>();
        while (descriptors.Length >= 2 && descriptors[0] >= 2 && descriptors[0] <= descriptors.Length)
        {
            if (descriptors[1] != UsbStandard.EndpointDescriptor)
            {
                kept.AddRange(descriptors[..descriptors[0]]);
            }

            descriptors = descriptors[descriptors[0]..];
        }

        return kept;
    }

    /// <summary>Builds what a host learns by enumerating the device.</summary>
    internal static UsbDeviceInfo Info(SimulatedDeviceProfile profile, string? serial, string portPath, int address)
    {
        byte[] config = Configuration(profile);
        byte[] device = Device(profile, serial);
        var settings = ImmutableArray.CreateBuilder<UsbAlternateSettingInfo>();
        int offset = ConfigurationDescriptorLength;
        for (int alt = 0; alt < profile.AlternateSettings.Length; alt++)
        {
            offset += InterfaceDescriptorLength;
            int extraStart = offset;
            while (offset < config.Length && config[offset + 1] != UsbStandard.InterfaceDescriptor)
            {
                offset += config[offset];
            }

            // libusb keeps endpoint descriptors apart from the extra bytes; so does the simulated host view.
            byte[] extra = [.. ExtraWithoutEndpoints(config.AsSpan(extraStart, offset - extraStart))];
            settings.Add(profile.IsHid
                ? new UsbAlternateSettingInfo
                {
                    Number = (byte)alt,
                    InterfaceClass = UsbStandard.HidClass,
                    InterfaceSubClass = 0,
                    InterfaceProtocol = 0,
                    Name = profile.AlternateSettings[alt].Name,
                    ExtraDescriptors = extra,
                }
                : new UsbAlternateSettingInfo
                {
                    Number = (byte)alt,
                    InterfaceClass = UsbAlternateSettingInfo.DfuClass,
                    InterfaceSubClass = UsbAlternateSettingInfo.DfuSubClass,
                    InterfaceProtocol = profile.InterfaceProtocol,
                    Name = profile.AlternateSettings[alt].Name,
                    Dfu = profile.FunctionalDescriptor,
                    ExtraDescriptors = extra,
                });
        }

        return new UsbDeviceInfo
        {
            VendorId = profile.VendorId,
            ProductId = profile.ProductId,
            DeviceVersion = profile.DeviceVersion,
            UsbVersion = BinaryPrimitives.ReadUInt16LittleEndian(device.AsSpan(BcdUsbOffset)),
            MaxPacketSize0 = MaxPacketSize0,
            Manufacturer = profile.Manufacturer,
            Product = profile.Product,
            SerialNumber = serial,
            DeviceAddress = address,
            PortPath = portPath,
            // The same bytes GET_DESCRIPTOR answers with, read by the one parser every provider uses.
            Descriptors = UsbDescriptorSet.Parse(device, [config]),
            Configurations =
            [
                new UsbConfigurationInfo(ConfigurationValue, [new UsbInterfaceInfo(DfuInterfaceNumber, settings.ToImmutable())]),
            ],
        };
    }
}
