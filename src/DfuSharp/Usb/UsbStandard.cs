namespace DfuSharp.Usb;

/// <summary>
/// USB 2.0 chapter 9 and HID 1.11 numbers used by the transport, the simulator and the HID detach, in one place.
/// </summary>
public static class UsbStandard
{
    /// <summary>GET_STATUS (USB 2.0 Table 9-4).</summary>
    public const byte GetStatusRequest = 0x00;

    /// <summary>CLEAR_FEATURE.</summary>
    public const byte ClearFeatureRequest = 0x01;

    /// <summary>SET_FEATURE.</summary>
    public const byte SetFeatureRequest = 0x03;

    /// <summary>SET_ADDRESS.</summary>
    public const byte SetAddressRequest = 0x05;

    /// <summary>GET_DESCRIPTOR.</summary>
    public const byte GetDescriptorRequest = 0x06;

    /// <summary>GET_CONFIGURATION.</summary>
    public const byte GetConfigurationRequest = 0x08;

    /// <summary>SET_CONFIGURATION.</summary>
    public const byte SetConfigurationRequest = 0x09;

    /// <summary>GET_INTERFACE.</summary>
    public const byte GetInterfaceRequest = 0x0A;

    /// <summary>SET_INTERFACE.</summary>
    public const byte SetInterfaceRequest = 0x0B;

    /// <summary>DEVICE descriptor type (USB 2.0 Table 9-5).</summary>
    public const byte DeviceDescriptor = 0x01;

    /// <summary>CONFIGURATION descriptor type.</summary>
    public const byte ConfigurationDescriptor = 0x02;

    /// <summary>STRING descriptor type.</summary>
    public const byte StringDescriptor = 0x03;

    /// <summary>INTERFACE descriptor type.</summary>
    public const byte InterfaceDescriptor = 0x04;

    /// <summary>ENDPOINT descriptor type.</summary>
    public const byte EndpointDescriptor = 0x05;

    /// <summary>Class-specific descriptor 0x21: the HID descriptor after a HID interface (HID 1.11 §7.1), the DFU
    /// functional descriptor after a DFU interface (DFU 1.1 §4.1.3).</summary>
    public const byte ClassDescriptor = 0x21;

    /// <summary>The HID report descriptor type (HID 1.11 §7.1).</summary>
    public const byte HidReportDescriptor = 0x22;

    /// <summary>bInterfaceClass of HID.</summary>
    public const byte HidClass = 0x03;

    /// <summary>HID SET_REPORT (HID 1.11 §7.2.2).</summary>
    public const byte HidSetReportRequest = 0x09;

    /// <summary>HID SET_IDLE (HID 1.11 §7.2.4).</summary>
    public const byte HidSetIdleRequest = 0x0A;

    /// <summary>LANGID English (United States), the language most devices use for their strings.</summary>
    public const ushort EnglishUnitedStates = 0x0409;

    /// <summary>The longest standard descriptor (bLength is one byte).</summary>
    public const int MaxDescriptorLength = 255;
}
