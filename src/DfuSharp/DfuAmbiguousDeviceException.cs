namespace DfuSharp;

/// <summary>
/// The exception thrown when more than one device matches a selector that must name one: the caller has to choose, by
/// serial number or port path. It is a <see cref="DfuDeviceNotFoundException"/> (no single device was found), with the
/// category <see cref="DfuErrorCategory.Usage"/>.
/// </summary>
public class DfuAmbiguousDeviceException : DfuDeviceNotFoundException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuAmbiguousDeviceException()
        : base("More than one DFU device matches; choose one by serial number or port path.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was looked for and which devices match.</param>
    public DfuAmbiguousDeviceException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What was looked for and which devices match.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuAmbiguousDeviceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets <see cref="DfuErrorCategory.Usage"/>: the selector has to be narrowed.</summary>
    public override DfuErrorCategory Category => DfuErrorCategory.Usage;
}
