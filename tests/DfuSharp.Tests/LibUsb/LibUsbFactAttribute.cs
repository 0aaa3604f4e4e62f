using DfuSharp.LibUsb;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

/// <summary>A fact that needs the libusb-1.0 runtime; skipped with the reason where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibUsbFactAttribute : FactAttribute
{
    public LibUsbFactAttribute()
    {
        try
        {
            LibUsbDeviceProvider.GetLibraryVersion();
        }
        catch (UsbTransportException ex) when (ex.Error == UsbError.LibraryMissing)
        {
            Skip = ex.Message;
        }
    }
}
