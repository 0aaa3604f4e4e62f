namespace DfuSharp;

/// <summary>
/// The exception thrown, before anything is sent, when a firmware file does not fit the device: another VID/PID or
/// bcdDevice, a DfuSe target for an alternate setting the device lacks or that has another name, or data at an address
/// outside the memory layout or in sectors that are not writable, a DfuSe container for a plain DFU device, or an image
/// with no data. <see cref="CanForce"/> says whether <see cref="DownloadOptions.Force"/> overrides it: it overrides the
/// VID/PID and target-name checks, never the file kind, the layout, overlaps or the safety rules.
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

    /// <summary>Gets a value indicating whether <see cref="DownloadOptions.Force"/> would write the file anyway.</summary>
    public bool CanForce { get; init; }

    /// <summary>Gets the first address that does not fit, if the problem is an address.</summary>
    public uint? Address { get; init; }

    /// <summary>Gets <see cref="DfuErrorCategory.Data"/>: the file does not fit the device.</summary>
    public override DfuErrorCategory Category => DfuErrorCategory.Data;
}
