using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Usb;

public sealed class UsbDescriptorParserTests
{
    // The STM32F4 system memory bootloader's device descriptor as a host reads it (AN2606, USB 2.0 Table 9-8).
    private static readonly byte[] StDevice = [18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF, 0x00, 0x22, 1, 2, 3, 1];

    // A configuration with one interface descriptor followed by a DFU functional descriptor, and a second interface
    // (a HID one) with a HID descriptor and an interrupt IN endpoint.
    private static readonly byte[] TwoInterfaces =
    [
        9, 2, 52, 0, 2, 1, 0, 0xC0, 50,
        9, 4, 0, 0, 0, 0xFE, 1, 2, 4,
        9, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01,
        9, 4, 1, 0, 1, 3, 0, 0, 5,
        9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x20, 0,
        7, 5, 0x81, 3, 64, 0, 10,
    ];

    [Fact]
    public void ParseDevice_StRom_ReadsEveryField()
    {
        UsbDeviceDescriptor d = UsbDescriptorParser.ParseDevice(StDevice);

        d.bLength.Should().Be(18);
        d.bDescriptorType.Should().Be(1);
        d.bcdUSB.Should().Be(0x0200);
        d.bDeviceClass.Should().Be(0);
        d.bDeviceSubClass.Should().Be(0);
        d.bDeviceProtocol.Should().Be(0);
        d.bMaxPacketSize0.Should().Be(64);
        d.idVendor.Should().Be(0x0483);
        d.idProduct.Should().Be(0xDF11);
        d.bcdDevice.Should().Be(0x2200);
        d.iManufacturer.Should().Be(1);
        d.iProduct.Should().Be(2);
        d.iSerialNumber.Should().Be(3);
        d.bNumConfigurations.Should().Be(1);
        d.RawBytes.ToArray().Should().Equal(StDevice);
    }

    [Fact]
    public void ParseConfiguration_TwoInterfaces_ReadsInterfacesEndpointsAndExtras()
    {
        UsbConfigurationDescriptor c = UsbDescriptorParser.ParseConfiguration(TwoInterfaces);

        c.wTotalLength.Should().Be(52);
        c.bNumInterfaces.Should().Be(2);
        c.bConfigurationValue.Should().Be(1);
        c.iConfiguration.Should().Be(0);
        c.bmAttributes.Should().Be(0xC0);
        c.SelfPowered.Should().BeTrue();
        c.RemoteWakeup.Should().BeFalse();
        c.bMaxPower.Should().Be(50);
        c.MaxPowerMilliamperes.Should().Be(100);
        c.ExtraBytes.Length.Should().Be(0);
        c.RawBytes.ToArray().Should().Equal(TwoInterfaces);
        c.Interfaces.Should().HaveCount(2);

        UsbInterfaceDescriptor dfu = c.Interfaces[0];
        (dfu.bInterfaceNumber, dfu.bAlternateSetting, dfu.bNumEndpoints, dfu.bInterfaceClass, dfu.bInterfaceSubClass, dfu.bInterfaceProtocol, dfu.iInterface)
            .Should().Be(((byte)0, (byte)0, (byte)0, (byte)0xFE, (byte)1, (byte)2, (byte)4));
        dfu.DfuFunctional.Should().Be(new DfuFunctionalDescriptor((DfuAttributes)0x0B, 255, 2048, 0x011A));
        dfu.Endpoints.Should().BeEmpty();

        UsbInterfaceDescriptor hid = c.Interfaces[1];
        hid.bInterfaceClass.Should().Be(3);
        hid.DfuFunctional.Should().BeNull();
        hid.ExtraBytes.Length.Should().Be(16);
        hid.Endpoints.Should().ContainSingle();
        UsbEndpointDescriptor endpoint = hid.Endpoints[0];
        (endpoint.bEndpointAddress, endpoint.bmAttributes, endpoint.wMaxPacketSize, endpoint.bInterval).Should().Be(((byte)0x81, (byte)3, (ushort)64, (byte)10));
    }

    [Fact]
    public void ParseConfiguration_BytesPastTotalLength_AreIgnored()
    {
        UsbConfigurationDescriptor c = UsbDescriptorParser.ParseConfiguration([.. TwoInterfaces, 0xEE, 0xEE]);

        c.RawBytes.Length.Should().Be(52);
        c.Should().Be(UsbDescriptorParser.ParseConfiguration(TwoInterfaces));
    }

    [Fact]
    public void ParseConfiguration_DescriptorBeforeFirstInterface_IsExtra()
    {
        byte[] config = [9, 2, 27, 0, 1, 1, 0, 0x80, 50, 9, 0x21, 0x0B, 0xFF, 0, 0, 8, 0x1A, 1, 9, 4, 0, 0, 0, 0xFE, 1, 2, 0];

        UsbConfigurationDescriptor c = UsbDescriptorParser.ParseConfiguration(config);

        c.ExtraBytes.ToArray().Should().Equal(config[9..18]);
        c.Interfaces.Should().ContainSingle().Which.ExtraBytes.Length.Should().Be(0);
    }

    public static TheoryData<byte[], int> MalformedDevices() => new()
    {
        { [], 0 },
        { [18], 0 },
        { [18, 2, 0, 2], 1 },
        { [12, 1, 0, 2, 0, 0, 0, 64, 0x83, 4, 0x11, 0xDF], 0 },
        { StDevice[..17], 0 },
    };

    [Theory]
    [MemberData(nameof(MalformedDevices))]
    public void ParseDevice_Malformed_ThrowsWithOffset(byte[] bytes, int offset)
    {
        Action parse = () => UsbDescriptorParser.ParseDevice(bytes);

        parse.Should().Throw<UsbDescriptorException>().Which.Offset.Should().Be(offset);
    }

    public static TheoryData<byte[], int> MalformedConfigurations()
    {
        byte[] zeroLength = [.. TwoInterfaces];
        zeroLength[27] = 0;
        byte[] pastTotal = [.. TwoInterfaces];
        pastTotal[45] = 9;
        byte[] shortInterface = [.. TwoInterfaces];
        shortInterface[9] = 5;
        byte[] shortEndpoint = [.. TwoInterfaces[..45], 5, 5, 0x81, 3, 64];
        shortEndpoint[2] = 50;
        return new()
        {
            { TwoInterfaces[..8], 0 },
            { [9, 4, 9, 0, 1, 1, 0, 0x80, 50], 1 },
            { TwoInterfaces[..51], 2 },
            { [9, 2, 5, 0, 0, 1, 0, 0x80, 50], 2 },
            { zeroLength, 27 },
            { pastTotal, 45 },
            { shortInterface, 9 },
            { shortEndpoint, 45 },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedConfigurations))]
    public void ParseConfiguration_Malformed_ThrowsWithOffset(byte[] bytes, int offset)
    {
        Action parse = () => UsbDescriptorParser.ParseConfiguration(bytes);

        parse.Should().Throw<UsbDescriptorException>().Which.Offset.Should().Be(offset);
    }

    [Fact]
    public void ParseConfiguration_AnyTruncation_ThrowsTypedErrorNeverAnother()
    {
        for (int length = 0; length < TwoInterfaces.Length; length++)
        {
            byte[] cut = [.. TwoInterfaces[..length]];
            Action parse = () => UsbDescriptorParser.ParseConfiguration(cut);
            parse.Should().Throw<UsbDescriptorException>($"{length} bytes are too few");
        }
    }

    [Theory]
    [InlineData(new byte[] { 4, 3, 0x09, 0x04 }, new ushort[] { 0x0409 })]
    [InlineData(new byte[] { 6, 3, 0x09, 0x04, 0x07, 0x04 }, new ushort[] { 0x0409, 0x0407 })]
    [InlineData(new byte[] { 2, 3 }, new ushort[0])]
    public void ParseLanguageIds_Valid_ReadsEveryId(byte[] bytes, ushort[] ids)
        => UsbDescriptorParser.ParseLanguageIds(bytes).Should().Equal(ids);

    [Theory]
    [InlineData(new byte[] { 4, 2, 0x09, 0x04 }, 1)]
    [InlineData(new byte[] { 5, 3, 0x09, 0x04, 0 }, 0)]
    [InlineData(new byte[] { 6, 3, 0x09, 0x04 }, 0)]
    [InlineData(new byte[] { 3 }, 0)]
    public void ParseLanguageIds_Malformed_ThrowsWithOffset(byte[] bytes, int offset)
    {
        Action parse = () => UsbDescriptorParser.ParseLanguageIds(bytes);

        parse.Should().Throw<UsbDescriptorException>().Which.Offset.Should().Be(offset);
    }

    [Fact]
    public void DescriptorSet_Parse_EqualsByBytes()
    {
        UsbDescriptorSet a = UsbDescriptorSet.Parse(StDevice, [TwoInterfaces]);
        UsbDescriptorSet b = UsbDescriptorSet.Parse(StDevice.ToArray(), [TwoInterfaces.ToArray()]);

        a.Should().Be(b);
        a.GetConfiguration(1).Should().Be(a.Configurations[0]);
        a.GetConfiguration(2).Should().BeNull();
    }

    public static TheoryData<string> Profiles() => [.. SimulatedProfiles.Names];

    [Theory]
    [MemberData(nameof(Profiles))]
    public void SimulatedInfo_EveryProfile_CarriesTheDescriptorsItAnswersWith(string name)
    {
        var device = SimulatedDfuDevice.Create(name, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        byte[] deviceBytes = Get(device, UsbStandard.DeviceDescriptor);
        byte[] configBytes = Get(device, UsbStandard.ConfigurationDescriptor);

        UsbDescriptorSet descriptors = device.Device.Descriptors!;

        descriptors.Device.RawBytes.ToArray().Should().Equal(deviceBytes);
        descriptors.Configurations.Should().ContainSingle().Which.RawBytes.ToArray().Should().Equal(configBytes);
        descriptors.Device.idVendor.Should().Be(device.Device.VendorId);
        descriptors.Device.idProduct.Should().Be(device.Device.ProductId);
        descriptors.Device.bcdDevice.Should().Be(device.Device.DeviceVersion);
        descriptors.Device.bcdUSB.Should().Be(device.Device.UsbVersion);
        descriptors.Device.bMaxPacketSize0.Should().Be(device.Device.MaxPacketSize0);
        UsbConfigurationDescriptor config = descriptors.Configurations[0];
        config.Interfaces.Select(i => (i.bInterfaceNumber, i.bAlternateSetting, i.bInterfaceClass, i.bInterfaceSubClass, i.bInterfaceProtocol))
            .Should().Equal(device.Device.Configurations[0].Interfaces.SelectMany(i => i.AlternateSettings.Select(a =>
                (i.Number, a.Number, a.InterfaceClass, a.InterfaceSubClass, a.InterfaceProtocol))));
    }

    private static byte[] Get(SimulatedDfuDevice device, byte type)
    {
        SimulatedControlResult r = device.HandleControl(new UsbSetupPacket(0x80, UsbStandard.GetDescriptorRequest, (ushort)(type << 8), 0, 0xFFFF), default);
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        return r.Data.ToArray();
    }
}
