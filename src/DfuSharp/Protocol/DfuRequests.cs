using DfuSharp.Usb;

namespace DfuSharp.Protocol;

/// <summary>
/// Builds the SETUP packets of the seven DFU class requests (DFU 1.1 §3, Table 3.2). Pure: no I/O.
/// </summary>
public static class DfuRequests
{
    /// <summary>bmRequestType of a host → device class request to an interface (0x21).</summary>
    public const byte OutRequestType = 0x21;

    /// <summary>bmRequestType of a device → host class request to an interface (0xA1).</summary>
    public const byte InRequestType = 0xA1;

    /// <summary>wLength of the DFU_GETSTATE reply.</summary>
    public const ushort StateLength = 1;

    /// <summary>DFU_DETACH (DFU 1.1 §5.1): wValue is the time in milliseconds the device waits for a USB reset.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <param name="timeoutMs">wTimeout in milliseconds.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket Detach(byte interfaceNumber, ushort timeoutMs)
        => new(OutRequestType, (byte)DfuRequest.Detach, timeoutMs, interfaceNumber, 0);

    /// <summary>DFU_DNLOAD (DFU 1.1 §6.1.1): send <paramref name="length"/> bytes as block <paramref name="block"/>.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <param name="block">wBlockNum (DfuSe: 0 for a command, 2 and up for data).</param>
    /// <param name="length">wLength; 0 ends the download.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket Dnload(byte interfaceNumber, ushort block, ushort length)
        => new(OutRequestType, (byte)DfuRequest.Dnload, block, interfaceNumber, length);

    /// <summary>DFU_UPLOAD (DFU 1.1 §6.2): read up to <paramref name="length"/> bytes as block <paramref name="block"/>.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <param name="block">wBlockNum (DfuSe: 0 for Get Commands, 2 and up for memory).</param>
    /// <param name="length">wLength: at most wTransferSize.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket Upload(byte interfaceNumber, ushort block, ushort length)
        => new(InRequestType, (byte)DfuRequest.Upload, block, interfaceNumber, length);

    /// <summary>DFU_GETSTATUS (DFU 1.1 §6.1.2): read the 6-byte status.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket GetStatus(byte interfaceNumber)
        => new(InRequestType, (byte)DfuRequest.GetStatus, 0, interfaceNumber, DfuStatusReport.Size);

    /// <summary>DFU_CLRSTATUS (DFU 1.1 §6.1.3): leave dfuERROR for dfuIDLE.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket ClrStatus(byte interfaceNumber)
        => new(OutRequestType, (byte)DfuRequest.ClrStatus, 0, interfaceNumber, 0);

    /// <summary>DFU_GETSTATE (DFU 1.1 §6.1.5): read bState only.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket GetState(byte interfaceNumber)
        => new(InRequestType, (byte)DfuRequest.GetState, 0, interfaceNumber, StateLength);

    /// <summary>DFU_ABORT (DFU 1.1 §6.1.4): return to dfuIDLE from dfuDNLOAD-IDLE or dfuUPLOAD-IDLE.</summary>
    /// <param name="interfaceNumber">bInterfaceNumber of the DFU interface.</param>
    /// <returns>The SETUP packet.</returns>
    public static UsbSetupPacket Abort(byte interfaceNumber)
        => new(OutRequestType, (byte)DfuRequest.Abort, 0, interfaceNumber, 0);
}
