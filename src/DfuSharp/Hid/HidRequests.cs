using System.Buffers.Binary;
using DfuSharp.Usb;

namespace DfuSharp.Hid;

/// <summary>
/// Builds the HID requests a host needs for ST's HID detach (HID 1.11 §7.1 and §7.2), and reads the HID descriptor.
/// Pure: no I/O. No HID library or driver is involved: the requests go over the control pipe like any other.
/// </summary>
internal static class HidRequests
{
    /// <summary>bInterfaceClass of HID (HID 1.11 §4.1).</summary>
    public const byte HidClass = UsbStandard.HidClass;

    /// <summary>The HID class descriptor type (HID 1.11 §7.1). The DFU functional descriptor has the same number; they
    /// are told apart by the class of the interface they follow.</summary>
    public const byte HidDescriptorType = UsbStandard.ClassDescriptor;

    /// <summary>The report descriptor type (HID 1.11 §7.1).</summary>
    public const byte ReportDescriptorType = UsbStandard.HidReportDescriptor;

    /// <summary>GET_DESCRIPTOR (USB 2.0 Table 9-4).</summary>
    public const byte GetDescriptorRequest = UsbStandard.GetDescriptorRequest;

    /// <summary>SET_REPORT (HID 1.11 §7.2.2).</summary>
    public const byte SetReportRequest = UsbStandard.HidSetReportRequest;

    /// <summary>The longest report descriptor asked for when the HID descriptor does not give its length.</summary>
    public const ushort MaxReportDescriptorLength = 4096;

    // HID descriptor layout (HID 1.11 §6.2.1): bLength, bDescriptorType, bcdHID, bCountryCode, bNumDescriptors, then
    // bDescriptorType + wDescriptorLength for each class descriptor.
    private const int NumDescriptorsOffset = 5;
    private const int FirstClassDescriptorOffset = 6;
    private const int ClassDescriptorEntryLength = 3;

    /// <summary>GET_DESCRIPTOR for the report descriptor, a standard request to the interface (HID 1.11 §7.1.1).</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the HID interface.</param>
    /// <param name="length">wLength: the report descriptor's length.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket GetReportDescriptor(byte interfaceNumber, ushort length)
        => new(
            UsbSetupPacket.MakeRequestType(deviceToHost: true, UsbRequestType.Standard, UsbRecipient.Interface),
            GetDescriptorRequest,
            ReportDescriptorType << 8,
            interfaceNumber,
            length);

    /// <summary>SET_REPORT, a class request to the interface (HID 1.11 §7.2.2): wValue is the report type in the high
    /// byte and the report id in the low byte.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the HID interface.</param>
    /// <param name="type">Output or Feature.</param>
    /// <param name="reportId">The report id, or 0.</param>
    /// <param name="length">wLength: the report length, with the id byte when there is one.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket SetReport(byte interfaceNumber, HidReportType type, byte reportId, ushort length)
        => new(
            UsbSetupPacket.MakeRequestType(deviceToHost: false, UsbRequestType.Class, UsbRecipient.Interface),
            SetReportRequest,
            (ushort)(((byte)type << 8) | reportId),
            interfaceNumber,
            length);

    /// <summary>SET_REPORT carrying a DETACH report.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the HID interface.</param>
    /// <param name="report">The DETACH report.</param>
    /// <returns>The SETUP packet; its data stage is <see cref="HidDetachReport.CreatePayload"/>.</returns>
    public static UsbSetupPacket SetReport(byte interfaceNumber, HidDetachReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return SetReport(interfaceNumber, report.Type, report.ReportId, (ushort)report.PayloadLength);
    }

    /// <summary>Finds the report descriptor's length in the HID descriptor among an interface's extra descriptors.</summary>
    /// <param name="extra">The descriptors that follow a HID interface descriptor.</param>
    /// <returns>wDescriptorLength of the report descriptor, or <see langword="null"/> when there is no HID descriptor.</returns>
    public static ushort? FindReportDescriptorLength(ReadOnlySpan<byte> extra)
    {
        while (extra.Length >= 2 && extra[0] >= 2 && extra[0] <= extra.Length)
        {
            ReadOnlySpan<byte> descriptor = extra[..extra[0]];
            if (descriptor[1] == HidDescriptorType && descriptor.Length > NumDescriptorsOffset)
            {
                int count = descriptor[NumDescriptorsOffset];
                for (int i = 0; i < count; i++)
                {
                    int at = FirstClassDescriptorOffset + (i * ClassDescriptorEntryLength);
                    if (at + ClassDescriptorEntryLength > descriptor.Length)
                    {
                        break;
                    }

                    if (descriptor[at] == ReportDescriptorType)
                    {
                        return BinaryPrimitives.ReadUInt16LittleEndian(descriptor[(at + 1)..]);
                    }
                }

                return null;
            }

            extra = extra[extra[0]..];
        }

        return null;
    }
}
