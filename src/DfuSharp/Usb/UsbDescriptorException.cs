namespace DfuSharp.Usb;

/// <summary>
/// The exception thrown when a USB standard descriptor (device, configuration, interface, endpoint or string 0) is
/// malformed: too short, of the wrong type, or with lengths that do not add up (USB 2.0 §9.5, §9.6). It says where the
/// fault is, as a byte offset into the descriptor (for a configuration: into its whole wTotalLength set).
/// </summary>
public sealed class UsbDescriptorException : DfuProtocolException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public UsbDescriptorException()
        : this("A USB descriptor is malformed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public UsbDescriptorException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public UsbDescriptorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a fault at a byte offset.</summary>
    /// <param name="descriptorType">The bDescriptorType being parsed (for example <see cref="UsbStandard.ConfigurationDescriptor"/>).</param>
    /// <param name="offset">The offset of the faulty byte in the bytes being parsed.</param>
    /// <param name="message">What is wrong; the offset is appended.</param>
    public UsbDescriptorException(byte descriptorType, int offset, string message)
        : base($"{message} (descriptor type 0x{descriptorType:X2}, at offset {offset})")
    {
        DescriptorType = descriptorType;
        Offset = offset;
    }

    /// <summary>Gets the bDescriptorType of the descriptor being parsed, or 0 when unknown.</summary>
    public byte DescriptorType { get; }

    /// <summary>Gets the byte offset of the fault in the bytes being parsed, or -1 when unknown.</summary>
    public int Offset { get; } = -1;
}
