namespace DfuSharp;

/// <summary>
/// The exception thrown when what was read back differs from what was written: the device accepted the data and
/// reported success, but its memory holds something else.
/// </summary>
public class DfuVerificationException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuVerificationException()
        : base("Verification failed: the device's memory differs from the file.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">Where the difference is.</param>
    public DfuVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">Where the difference is.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuVerificationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the address (DfuSe) or firmware offset (plain DFU) of the first differing byte.</summary>
    public uint Address { get; init; }

    /// <summary>Gets the byte that was written.</summary>
    public byte Expected { get; init; }

    /// <summary>Gets the byte that was read back, or <see langword="null"/> when the device sent fewer bytes.</summary>
    public byte? Actual { get; init; }
}
