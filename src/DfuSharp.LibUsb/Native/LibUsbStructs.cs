using System.Runtime.InteropServices;

namespace DfuSharp.LibUsb.Native;

// Blittable mirrors of libusb.h (libusb 1.0.20+). Field order and types follow the header exactly; the runtime's
// natural alignment matches the C compilers' on every supported ABI, so no explicit offsets are needed.

/// <summary>struct libusb_device_descriptor (USB 2.0 §9.6.1, host-endian words).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbDeviceDescriptor
{
    public byte Length;
    public byte DescriptorType;
    public ushort UsbVersion;
    public byte DeviceClass;
    public byte DeviceSubClass;
    public byte DeviceProtocol;
    public byte MaxPacketSize0;
    public ushort VendorId;
    public ushort ProductId;
    public ushort DeviceVersion;
    public byte ManufacturerIndex;
    public byte ProductIndex;
    public byte SerialNumberIndex;
    public byte NumConfigurations;
}

/// <summary>struct libusb_config_descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbConfigDescriptor
{
    public byte Length;
    public byte DescriptorType;
    public ushort TotalLength;
    public byte NumInterfaces;
    public byte ConfigurationValue;
    public byte ConfigurationIndex;
    public byte Attributes;
    public byte MaxPower;
    public nint Interfaces;
    public nint Extra;
    public int ExtraLength;
}

/// <summary>struct libusb_interface: the alternate settings of one interface.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbInterface
{
    public nint AlternateSettings;
    public int NumAlternateSettings;
}

/// <summary>struct libusb_interface_descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbInterfaceDescriptor
{
    public byte Length;
    public byte DescriptorType;
    public byte InterfaceNumber;
    public byte AlternateSetting;
    public byte NumEndpoints;
    public byte InterfaceClass;
    public byte InterfaceSubClass;
    public byte InterfaceProtocol;
    public byte InterfaceIndex;
    public nint Endpoints;
    public nint Extra;
    public int ExtraLength;
}

/// <summary>struct libusb_endpoint_descriptor (bRefresh and bSynchAddress are audio-class fields, read only when
/// bLength is 9).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbEndpointDescriptor
{
    public byte Length;
    public byte DescriptorType;
    public byte EndpointAddress;
    public byte Attributes;
    public ushort MaxPacketSize;
    public byte Interval;
    public byte Refresh;
    public byte SynchAddress;
    public nint Extra;
    public int ExtraLength;
}

/// <summary>struct libusb_version; the two strings belong to libusb and are never freed.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbVersionNative
{
    public ushort Major;
    public ushort Minor;
    public ushort Micro;
    public ushort Nano;
    public nint ReleaseCandidate;
    public nint Describe;
}
