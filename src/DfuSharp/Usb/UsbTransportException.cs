namespace DfuSharp.Usb;

/// <summary>
/// The exception thrown when a USB transfer or operation fails below the DFU protocol:
/// a STALL, a timeout, a vanished device, a permission problem.
/// </summary>
public class UsbTransportException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public UsbTransportException()
        : this(UsbError.Other, "A USB operation failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What failed.</param>
    public UsbTransportException(string message)
        : this(UsbError.Other, message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public UsbTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = UsbError.Other;
    }

    /// <summary>Initializes a new instance with the kind of failure.</summary>
    /// <param name="error">The kind of failure.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public UsbTransportException(UsbError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Gets the kind of failure.</summary>
    public UsbError Error { get; }

    /// <summary>Gets the DFU request that failed, when the failure happened in one (set by <see cref="Protocol.DfuClient"/>).</summary>
    public Protocol.DfuRequest? Request { get; init; }

    /// <summary>Gets the request's wValue: the block number of DFU_DNLOAD and DFU_UPLOAD, the timeout of DFU_DETACH.</summary>
    public ushort? Value { get; init; }

    /// <summary>Gets the request's wLength: the bytes sent or asked for.</summary>
    public int? Length { get; init; }

    /// <summary>
    /// Gets the category by <see cref="Error"/>: <see cref="DfuErrorCategory.NoDevice"/> when the USB library is missing,
    /// <see cref="DfuErrorCategory.Protocol"/> for a STALL (the device refused the request and entered dfuERROR,
    /// DFU 1.1 §6.1.2), and <see cref="DfuErrorCategory.IO"/> for every other transfer failure.
    /// </summary>
    public override DfuErrorCategory Category => Error switch
    {
        UsbError.LibraryMissing => DfuErrorCategory.NoDevice,
        UsbError.Stall => DfuErrorCategory.Protocol,
        _ => DfuErrorCategory.IO,
    };
}
