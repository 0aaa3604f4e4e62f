using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using DfuSharp.Usb;

namespace DfuSharp.LibUsb;

/// <summary>
/// Pure decisions about USB descriptors: string decoding, port paths, and where a DFU interface's functional
/// descriptor lives. No I/O; the libusb code feeds them bytes.
/// </summary>
internal static class UsbDescriptors
{

    /// <summary>The language id devices without a usable string 0 are asked for (English, United States).</summary>
    public const ushort DefaultLanguageId = UsbStandard.EnglishUnitedStates;

    /// <summary>The largest descriptor a one-byte bLength allows.</summary>
    public const int MaxDescriptorLength = UsbStandard.MaxDescriptorLength;

    /// <summary>A GET_DESCRIPTOR request to the device for descriptor <paramref name="type"/> index <paramref name="index"/>.</summary>
    /// <param name="type">bDescriptorType.</param>
    /// <param name="index">The descriptor index.</param>
    /// <param name="languageId">wIndex: the language id for strings, else 0.</param>
    /// <param name="length">wLength.</param>
    /// <returns>The setup packet.</returns>
    public static UsbSetupPacket GetDescriptor(byte type, byte index, ushort languageId, ushort length)
        => new(
            UsbSetupPacket.MakeRequestType(deviceToHost: true, UsbRequestType.Standard, UsbRecipient.Device),
            UsbStandard.GetDescriptorRequest,
            (ushort)((type << 8) | index),
            languageId,
            length);

    /// <summary>Reads the first language id from string descriptor 0, through <see cref="UsbDescriptorParser.ParseLanguageIds"/>.</summary>
    /// <param name="descriptor">The bytes the device sent.</param>
    /// <returns>The language id, or <see langword="null"/> when the descriptor lists none or is malformed (the caller then asks in US English).</returns>
    public static ushort? FirstLanguageId(ReadOnlySpan<byte> descriptor)
    {
        try
        {
            ImmutableArray<ushort> languages = UsbDescriptorParser.ParseLanguageIds(descriptor);
            return languages.IsEmpty ? null : languages[0];
        }
        catch (UsbDescriptorException)
        {
            // A malformed string 0 is treated like a missing one: the caller falls back to US English.
            return null;
        }
    }

    /// <summary>Formats a port path the way dfu-util prints and accepts it: <c>BUS-PORT.PORT…</c>.</summary>
    /// <param name="busNumber">The bus number.</param>
    /// <param name="portNumbers">The port numbers from the root hub down; empty for a root hub.</param>
    /// <returns>For example <c>1-1.4</c>.</returns>
    public static string FormatPortPath(int busNumber, ReadOnlySpan<byte> portNumbers)
    {
        var text = new StringBuilder().Append(busNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (int i = 0; i < portNumbers.Length; i++)
        {
            text.Append(i == 0 ? '-' : '.').Append(portNumbers[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>
    /// Finds the functional descriptor of a DFU alternate setting. It normally follows the interface descriptor
    /// (DFU 1.1 §4.1.3), but ST's DfuSe ROM places one descriptor after the last alternate setting, and some devices
    /// put it after the configuration descriptor; libusb hands those bytes to whichever descriptor precedes them.
    /// </summary>
    /// <param name="ownExtra">The extra bytes of the alternate setting itself.</param>
    /// <param name="siblingExtras">The extra bytes of the interface's other alternate settings.</param>
    /// <param name="configurationExtra">The extra bytes of the configuration descriptor.</param>
    /// <returns>The descriptor, or <see langword="null"/> when none is present (ask the device with GET_DESCRIPTOR 0x21).</returns>
    public static DfuFunctionalDescriptor? FindFunctionalDescriptor(
        ReadOnlySpan<byte> ownExtra, IEnumerable<ReadOnlyMemory<byte>> siblingExtras, ReadOnlySpan<byte> configurationExtra)
    {
        if (DfuFunctionalDescriptor.Find(ownExtra) is { } own)
        {
            return own;
        }

        foreach (ReadOnlyMemory<byte> sibling in siblingExtras)
        {
            if (DfuFunctionalDescriptor.Find(sibling.Span) is { } shared)
            {
                return shared;
            }
        }

        return DfuFunctionalDescriptor.Find(configurationExtra);
    }

    /// <summary>
    /// Reads the reply to GET_DESCRIPTOR 0x21 sent to the device when the configuration holds no functional descriptor.
    /// 0x21 is also the HID descriptor type, and a composite device with a HID interface may answer with that instead
    /// (09 21 bcdHID bCountryCode bNumDescriptors 22 wDescriptorLength): read as DFU, it gives a nonsense bcdDFUVersion
    /// (the report descriptor's length). Only a DFU 1.0 descriptor (7 bytes) or a known bcdDFUVersion is accepted.
    /// </summary>
    /// <param name="reply">The bytes the device sent.</param>
    /// <returns>The descriptor, or <see langword="null"/> when the reply is not a plausible DFU functional descriptor.</returns>
    public static DfuFunctionalDescriptor? ParseRequestedFunctionalDescriptor(ReadOnlySpan<byte> reply)
    {
        DfuFunctionalDescriptor? parsed = DfuFunctionalDescriptor.TryParse(reply);
        return parsed is null || reply[0] < DfuFunctionalDescriptor.Length || parsed.DfuVersion is 0x0100 or 0x0101 or 0x0110 or 0x011A
            ? parsed
            : null;
    }

    /// <summary>Writes libusb's parsed device descriptor back into its 18 wire bytes (USB 2.0 Table 9-8, little-endian words).</summary>
    /// <param name="d">The descriptor libusb_get_device_descriptor filled (host-endian words).</param>
    /// <returns>The 18 bytes.</returns>
    public static byte[] SerializeDevice(in Native.LibUsbDeviceDescriptor d)
    {
        var bytes = new byte[UsbDeviceDescriptor.Size];
        bytes[0] = UsbDeviceDescriptor.Size;
        bytes[1] = d.DescriptorType;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), d.UsbVersion);
        bytes[4] = d.DeviceClass;
        bytes[5] = d.DeviceSubClass;
        bytes[6] = d.DeviceProtocol;
        bytes[7] = d.MaxPacketSize0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), d.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), d.ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(12), d.DeviceVersion);
        bytes[14] = d.ManufacturerIndex;
        bytes[15] = d.ProductIndex;
        bytes[16] = d.SerialNumberIndex;
        bytes[17] = d.NumConfigurations;
        return bytes;
    }

    /// <summary>Pads a descriptor's known fields with zeros up to its bLength (libusb keeps no bytes a descriptor
    /// has beyond the fields it knows), or cuts them to bLength.</summary>
    /// <param name="fields">The fields libusb parsed, in wire order.</param>
    /// <param name="length">bLength.</param>
    /// <returns>bLength bytes.</returns>
    public static byte[] Pad(byte[] fields, byte length)
    {
        var bytes = new byte[length];
        fields.AsSpan(0, Math.Min(fields.Length, length)).CopyTo(bytes);
        return bytes;
    }

    /// <summary>Builds a configuration from raw alternate settings, grouped by interface number in descriptor order.</summary>
    /// <param name="value">bConfigurationValue.</param>
    /// <param name="settings">The alternate settings with their interface numbers, in descriptor order.</param>
    /// <returns>The configuration.</returns>
    public static UsbConfigurationInfo BuildConfiguration(byte value, IEnumerable<(byte Interface, UsbAlternateSettingInfo Setting)> settings)
        => new(
            value,
            settings.GroupBy(s => s.Interface)
                .Select(g => new UsbInterfaceInfo(g.Key, g.Select(s => s.Setting).ToImmutableArray()))
                .ToImmutableArray());
}
