namespace DfuSharp;

/// <summary>
/// The exception thrown when a device that detached, reset or left DFU mode does not come back within the timeout.
/// </summary>
public class DfuReenumerationTimeoutException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuReenumerationTimeoutException()
        : base("The device did not re-enumerate in time.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">Which device was awaited and for how long.</param>
    public DfuReenumerationTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">Which device was awaited.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuReenumerationTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets how long the host waited.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>Gets <see cref="DfuErrorCategory.TemporaryFailure"/>: the device did not come back in time.</summary>
    public override DfuErrorCategory Category => DfuErrorCategory.TemporaryFailure;
}
