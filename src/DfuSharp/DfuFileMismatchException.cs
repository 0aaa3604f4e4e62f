namespace DfuSharp;

/// <summary>
/// The exception thrown, before anything is sent, when a firmware file does not fit the device: another VID/PID or
/// bcdDevice, a DfuSe target for an alternate setting the device lacks or that has another name, or data at an address
/// outside the memory layout or in sectors that are not writable. <see cref="DownloadOptions.Force"/> overrides the identity and name checks, never the layout.
/// </summary>
public class DfuFileMismatchException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuFileMismatchException()
        : base("The file does not fit the device.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What does not fit.</param>
    public DfuFileMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What does not fit.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuFileMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the first address that does not fit, if the problem is an address.</summary>
    public uint? Address { get; init; }
}
