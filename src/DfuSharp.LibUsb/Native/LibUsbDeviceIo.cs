using DfuSharp.Usb;

namespace DfuSharp.LibUsb.Native;

/// <summary>Synchronous requests on an open handle, shared by enumeration and the transport.</summary>
internal static unsafe class LibUsbDeviceIo
{
    /// <summary>Performs a control transfer and returns libusb's result (bytes transferred, or a negative error).</summary>
    /// <param name="handle">The open handle.</param>
    /// <param name="setup">The setup packet.</param>
    /// <param name="buffer">The data stage buffer, at least wLength bytes.</param>
    /// <param name="timeoutMilliseconds">The timeout; 0 waits forever.</param>
    /// <returns>The result.</returns>
    public static int ControlTransfer(LibUsbOpenHandle handle, UsbSetupPacket setup, Span<byte> buffer, uint timeoutMilliseconds)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = buffer)
            {
                return LibUsbNative.ControlTransfer(
                    handle.DangerousGetHandle(), setup.RequestType, setup.Request, setup.Value, setup.Index,
                    setup.Length == 0 ? null : data, setup.Length, timeoutMilliseconds);
            }
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>Reads a descriptor with GET_DESCRIPTOR.</summary>
    /// <param name="handle">The open handle.</param>
    /// <param name="type">bDescriptorType.</param>
    /// <param name="index">The index.</param>
    /// <param name="languageId">The language id (strings) or 0.</param>
    /// <param name="timeoutMilliseconds">The timeout.</param>
    /// <param name="description">The device's name for messages.</param>
    /// <returns>The descriptor bytes.</returns>
    /// <exception cref="UsbTransportException">The request failed.</exception>
    public static byte[] GetDescriptor(LibUsbOpenHandle handle, byte type, byte index, ushort languageId, uint timeoutMilliseconds, string description)
    {
        Span<byte> buffer = stackalloc byte[UsbDescriptors.MaxDescriptorLength];
        UsbSetupPacket setup = UsbDescriptors.GetDescriptor(type, index, languageId, UsbDescriptors.MaxDescriptorLength);
        int count = LibUsbErrors.Check(
            ControlTransfer(handle, setup, buffer, timeoutMilliseconds),
            $"Reading descriptor 0x{type:X2} index {index} of {description}");
        return buffer[..count].ToArray();
    }

    /// <summary>Reads the device's first language id, falling back to US English when string 0 is missing or empty.</summary>
    /// <param name="handle">The open handle.</param>
    /// <param name="timeoutMilliseconds">The timeout.</param>
    /// <param name="description">The device's name for messages.</param>
    /// <returns>The language id.</returns>
    /// <exception cref="UsbTransportException">The device is gone or unreachable.</exception>
    public static ushort GetFirstLanguageId(LibUsbOpenHandle handle, uint timeoutMilliseconds, string description)
    {
        try
        {
            byte[] languages = GetDescriptor(handle, UsbStandard.StringDescriptor, 0, 0, timeoutMilliseconds, description);
            return UsbDescriptors.FirstLanguageId(languages) ?? UsbDescriptors.DefaultLanguageId;
        }
        catch (UsbTransportException ex) when (ex.Error == UsbError.Stall)
        {
            // Some bootloaders stall string 0 but answer string requests in US English (as dfu-util assumes too).
            return UsbDescriptors.DefaultLanguageId;
        }
    }
}
