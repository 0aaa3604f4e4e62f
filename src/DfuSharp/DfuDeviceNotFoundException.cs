namespace DfuSharp;

/// <summary>
/// The exception thrown when no device matches a selector; <see cref="DfuAmbiguousDeviceException"/>, when more than one
/// does and the choice is ambiguous.
/// </summary>
public class DfuDeviceNotFoundException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuDeviceNotFoundException()
        : base("No DFU device was found.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was looked for and what was found.</param>
    public DfuDeviceNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What was looked for.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuDeviceNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets <see cref="DfuErrorCategory.NoDevice"/>: no device matched the selector.</summary>
    public override DfuErrorCategory Category => DfuErrorCategory.NoDevice;
}
