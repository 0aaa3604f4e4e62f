namespace DfuSharp;

/// <summary>
/// The base of every exception DfuSharp throws for a device or transport problem:
/// <see cref="DfuStatusException"/>, <see cref="DfuProtocolException"/>,
/// <see cref="Usb.UsbTransportException"/>, <see cref="DfuDeviceNotFoundException"/>,
/// <see cref="DfuReenumerationTimeoutException"/>, <see cref="DfuFileMismatchException"/> and
/// <see cref="DfuVerificationException"/>.
/// </summary>
public class DfuException : Exception
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuException()
        : base("A DFU operation failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What failed.</param>
    public DfuException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets what kind of failure this is, for a caller that maps failures to its own reactions or exit codes; the value
    /// is the sysexits.h code <c>dfusharp</c> exits with. This base class reports <see cref="DfuErrorCategory.Protocol"/>.
    /// </summary>
    public virtual DfuErrorCategory Category => DfuErrorCategory.Protocol;
}
