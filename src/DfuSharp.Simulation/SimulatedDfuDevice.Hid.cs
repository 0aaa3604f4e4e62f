using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>The HID application side: ST's HID detach (DfuSe's "Enter DFU mode / HID detach", ST UM0412).</summary>
public sealed partial class SimulatedDfuDevice
{
    // HID 1.11 §7.2 class request numbers.

    private SimulatedControlResult HandleHid(UsbSetupPacket setup, ReadOnlySpan<byte> data, ref string detail)
    {
        if (setup.Recipient != UsbRecipient.Interface || setup.Index != SimulatedDescriptors.DfuInterfaceNumber)
        {
            return SimulatedControlResult.Stall;
        }

        switch (setup.Request)
        {
            case UsbStandard.HidSetIdleRequest when !setup.IsDeviceToHost:
                // Hosts' HID drivers send SET_IDLE when they bind; the application has no idle rate to keep.
                return SimulatedControlResult.Ack;
            case UsbStandard.HidSetReportRequest when !setup.IsDeviceToHost:
                SimulatedHidReport wanted = _profile.HidDetachReport;
                int length = wanted.Length + (wanted.Id != 0 ? 1 : 0);
                if (setup.Value != ((wanted.Type << 8) | wanted.Id) || data.Length != length || (wanted.Id != 0 && data[0] != wanted.Id))
                {
                    detail = "not the DETACH report";
                    return SimulatedControlResult.Stall;
                }

                // The application jumps to its bootloader, which enumerates as the DFU-mode profile with the same serial.
                detail = "HID detach: re-enumerate";
                Reenumerate(_profile.DfuModeProfile ?? _profile);
                return new SimulatedControlResult(SimulatedControlStatus.Ack, ReadOnlyMemory<byte>.Empty, true);
            default:
                detail = "unsupported HID request";
                return SimulatedControlResult.Stall;
        }
    }
}
