namespace DfuSharp;

/// <summary>
/// The exception thrown when a device breaks the DFU or DfuSe protocol: a reply of the wrong size,
/// a state the spec does not allow at that point, a device that never leaves a busy state.
/// </summary>
public class DfuProtocolException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuProtocolException()
        : base("The device broke the DFU protocol.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What the device did wrong.</param>
    public DfuProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What the device did wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
