using System.Buffers.Binary;
using DfuSharp.Usb;

namespace DfuSharp.Hid;

/// <summary>
/// Builds the HID requests a host needs for ST's HID detach (HID 1.11 §7.1 and §7.2), and reads the HID descriptor.
/// Pure: no I/O. No HID library or driver is involved: the requests go over the control pipe like any other.
/// </summary>
internal static class HidRequests
{

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
            UsbStandard.GetDescriptorRequest,
            UsbStandard.HidReportDescriptor << 8,
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
            UsbStandard.HidSetReportRequest,
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
            if (descriptor[1] == UsbStandard.ClassDescriptor && descriptor.Length > NumDescriptorsOffset)
            {
                int count = descriptor[NumDescriptorsOffset];
                for (int i = 0; i < count; i++)
                {
                    int at = FirstClassDescriptorOffset + (i * ClassDescriptorEntryLength);
                    if (at + ClassDescriptorEntryLength > descriptor.Length)
                    {
                        break;
                    }

                    if (descriptor[at] == UsbStandard.HidReportDescriptor)
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
