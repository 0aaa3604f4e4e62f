using DfuSharp.Usb;

namespace DfuSharp;

/// <summary>What a request was doing when the transport failed; it decides whether a lost device is a failure or the
/// expected end of the request.</summary>
internal enum GoneContext
{
    /// <summary>An ordinary request: any failure is an error.</summary>
    Request,

    /// <summary>A request after which the device leaves the bus by design: DFU_DETACH, HID DETACH, a USB reset, DfuSe
    /// leave, Read Unprotect (DFU 1.1 §5.1, §7; ST AN3156 §6.3.4, §6.3.5).</summary>
    Departure,

    /// <summary>The GETSTATUS after the zero-length DFU_DNLOAD of a device that is not manifestation tolerant: it may
    /// stop answering in dfuMANIFEST-WAIT-RESET (DFU 1.1 §7), by stalling, timing out or dropping off.</summary>
    Manifestation,

    /// <summary>Recovery after an error: a device that is gone or does not answer cannot be brought back to dfuIDLE.</summary>
    Recovery,
}

/// <summary>The one place that decides "the device is gone" for each context, instead of one set of <see cref="UsbError"/>s per call site.</summary>
internal static class DeviceGone
{
    public static bool Is(Exception exception, GoneContext context) => exception is UsbTransportException { Error: var error } && context switch
    {
        GoneContext.Departure => error is UsbError.NoDevice or UsbError.Io,
        GoneContext.Manifestation => error is UsbError.NoDevice or UsbError.Io or UsbError.Stall or UsbError.Timeout,
        GoneContext.Recovery => error is UsbError.NoDevice or UsbError.Timeout,
        _ => false,
    };
}
