using DfuSharp.LibUsb;
using DfuSharp.LibUsb.Native;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

/// <summary>libusb hands out parsed descriptors only; they are written back to wire bytes for the one core parser.</summary>
public sealed class UsbDescriptorSerializationTests
{
    public static TheoryData<string> Profiles() => [.. SimulatedProfiles.Names];

    [Theory]
    [MemberData(nameof(Profiles))]
    public void SerializeDevice_WhatLibUsbParsed_GivesBackTheWireBytes(string profile)
    {
        UsbDeviceDescriptor wire = SimulatedDfuDevice.Create(profile, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() }).Device.Descriptors!.Device;
        var parsed = new LibUsbDeviceDescriptor
        {
            Length = wire.bLength,
            DescriptorType = wire.bDescriptorType,
            UsbVersion = wire.bcdUSB,
            DeviceClass = wire.bDeviceClass,
            DeviceSubClass = wire.bDeviceSubClass,
            DeviceProtocol = wire.bDeviceProtocol,
            MaxPacketSize0 = wire.bMaxPacketSize0,
            VendorId = wire.idVendor,
            ProductId = wire.idProduct,
            DeviceVersion = wire.bcdDevice,
            ManufacturerIndex = wire.iManufacturer,
            ProductIndex = wire.iProduct,
            SerialNumberIndex = wire.iSerialNumber,
            NumConfigurations = wire.bNumConfigurations,
        };

        byte[] bytes = UsbDescriptors.SerializeDevice(parsed);

        bytes.Should().Equal(wire.RawBytes.ToArray());
        UsbDescriptorParser.ParseDevice(bytes).Should().Be(wire);
    }

    [Theory]
    [InlineData(new byte[] { 9, 4, 0, 0 }, 9, new byte[] { 9, 4, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 7, 5, 0x81, 3, 64, 0, 10, 0, 0 }, 7, new byte[] { 7, 5, 0x81, 3, 64, 0, 10 })]
    [InlineData(new byte[] { 9, 2 }, 9, new byte[] { 9, 2, 0, 0, 0, 0, 0, 0, 0 })]
    public void Pad_KnownFields_FillOrCutToBLength(byte[] fields, byte length, byte[] expected)
        => UsbDescriptors.Pad(fields, length).Should().Equal(expected);
}
