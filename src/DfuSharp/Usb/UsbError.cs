namespace DfuSharp.Usb;

/// <summary>What went wrong in a USB transfer or operation; carried by <see cref="UsbTransportException"/>.</summary>
public enum UsbError
{
    /// <summary>Any other failure.</summary>
    Other = 0,

    /// <summary>The device answered with a STALL handshake (a request error).</summary>
    Stall,

    /// <summary>The transfer did not complete within its timeout.</summary>
    Timeout,

    /// <summary>The device is gone (unplugged, reset or re-enumerated).</summary>
    NoDevice,

    /// <summary>The operating system denied access (permissions, udev rules, driver).</summary>
    Access,

    /// <summary>The device or interface is in use by another program or driver.</summary>
    Busy,

    /// <summary>An input/output error on the bus.</summary>
    Io,

    /// <summary>The operation is not supported on this platform or device.</summary>
    NotSupported,

    /// <summary>The device sent more data than was asked for.</summary>
    Overflow,

    /// <summary>A parameter was invalid.</summary>
    InvalidParameter,

    /// <summary>The native USB library is not installed.</summary>
    LibraryMissing,
}
