using System.Buffers.Binary;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class DescriptorTests
{
    public static TheoryData<string> Profiles() => [.. SimulatedProfiles.Names.Where(n => !SimulatedProfiles.Get(n).IsHid)];

    private static byte[] Get(SimulatedDfuDevice device, int type, int index, ushort length = 0xFFFF, ushort language = 0)
    {
        SimulatedControlResult r = device.HandleControl(new UsbSetupPacket(0x80, 6, (ushort)((type << 8) | index), language, length), default);
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        return r.Data.ToArray();
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void ConfigurationDescriptor_EveryProfile_HasParsableFunctionalDescriptor(string name)
    {
        var device = SimulatedDfuDevice.Create(name, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        byte[] config = Get(device, 2, 0);
        BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(2)).Should().Be((ushort)config.Length);
        DfuFunctionalDescriptor? f = DfuFunctionalDescriptor.Find(config.AsSpan(9));
        f.Should().Be(device.HomeProfile.FunctionalDescriptor);
        Get(device, 0x21, 0).Should().Equal(config[^9..]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Device_EveryProfile_InfoMatchesDescriptors(string name)
    {
        var device = SimulatedDfuDevice.Create(name, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        byte[] d = Get(device, 1, 0);
        d.Length.Should().Be(18);
        UsbDeviceInfo info = device.Device;
        BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(8)).Should().Be(info.VendorId);
        BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(10)).Should().Be(info.ProductId);
        BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(12)).Should().Be(info.DeviceVersion);
        info.DfuInterfaces.Should().HaveCount(device.HomeProfile.AlternateSettings.Length);
        info.PortPath.Should().Be($"sim:{name}");
    }

    [Fact]
    public void Stm32F4_Descriptors_MatchTheRom()
    {
        var device = SimulatedDfuDevice.Create("stm32f4", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        UsbDeviceInfo info = device.Device;
        info.VendorId.Should().Be(0x0483);
        info.ProductId.Should().Be(0xDF11);
        info.DeviceVersion.Should().Be(0x2200);
        info.Product.Should().Be("STM32  BOOTLOADER");
        var alts = info.DfuInterfaces.Select(i => i.Setting).ToList();
        alts.Select(a => a.Name).Should().Equal(
            "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
            "@Option Bytes  /0x1FFFC000/01*016 e",
            "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
            "@Device Feature/0xFFFF0000/01*004 e");
        alts.Should().OnlyContain(a => a.InterfaceProtocol == 2 && a.Mode == DfuMode.Dfu);
        alts[0].ExtraDescriptors.Length.Should().Be(0);
        DfuFunctionalDescriptor.Find(alts[3].ExtraDescriptors.Span).Should().Be(
            new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.WillDetach, 255, 2048, 0x011A));
    }

    [Fact]
    public void StringDescriptor_Index0_ListsEnglishAndOthersAreUtf16()
    {
        var device = SimulatedDfuDevice.Create("stm32f4", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        Get(device, 3, 0).Should().Equal(4, 3, 0x09, 0x04);
        byte[] s = Get(device, 3, 4, 255, 0x0409);
        s[0].Should().Be((byte)s.Length);
        System.Text.Encoding.Unicode.GetString(s.AsSpan(2)).Should().Be("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    }

    [Fact]
    public void GetDescriptor_ShortWLength_IsTruncated()
    {
        var device = SimulatedDfuDevice.Create("dfu11", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        Get(device, 2, 0, 9).Length.Should().Be(9);
    }

    [Fact]
    public void StandardRequests_ConfigurationAndInterface_RoundTrip()
    {
        var device = SimulatedDfuDevice.Create("stm32f4", new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });
        device.HandleControl(new UsbSetupPacket(0x00, 9, 1, 0, 0), default).IsAck.Should().BeTrue();
        device.HandleControl(new UsbSetupPacket(0x80, 8, 0, 0, 1), default).Data.ToArray().Should().Equal(1);
        device.HandleControl(new UsbSetupPacket(0x01, 11, 3, 0, 0), default).IsAck.Should().BeTrue();
        device.HandleControl(new UsbSetupPacket(0x81, 10, 0, 0, 1), default).Data.ToArray().Should().Equal(3);
        device.HandleControl(new UsbSetupPacket(0x01, 11, 4, 0, 0), default).Status.Should().Be(SimulatedControlStatus.Stall);
        device.HandleControl(new UsbSetupPacket(0x80, 0, 0, 0, 2), default).Data.Length.Should().Be(2);
        device.HandleControl(new UsbSetupPacket(0x80, 6, 0x0600, 0, 10), default).Status.Should().Be(SimulatedControlStatus.Stall);
        device.State.Should().Be(DfuSharp.Protocol.DfuState.DfuIdle);
    }

    [Fact]
    public void MemoryLayout_Stm32F4_ParsesTwelveSectorsOfOneMebibyte()
    {
        var sectors = SimulatedMemoryLayout.Parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
        sectors.Should().HaveCount(12);
        sectors.Sum(s => s.Size).Should().Be(1024 * 1024);
        sectors[4].Should().Be(new SimulatedSector(0x0801_0000, 64 * 1024, SimulatedSectorAccess.Readable | SimulatedSectorAccess.Erasable | SimulatedSectorAccess.Writable));
        SimulatedMemoryLayout.Parse("@OTP Memory /0x1FFF7800/01*512 e,01*016 e").Select(s => (s.Address, s.Size, s.Access))
            .Should().Equal((0x1FFF_7800u, 512, SimulatedSectorAccess.Readable | SimulatedSectorAccess.Writable), (0x1FFF_7A00u, 16, SimulatedSectorAccess.Readable | SimulatedSectorAccess.Writable));
    }

    [Theory]
    [InlineData("Internal Flash")]
    [InlineData("@Flash/0x0800000G/04*016Kg")]
    [InlineData("@Flash/0x08000000/04*016Kz")]
    [InlineData("@Flash/0x08000000/x*016Kg")]
    [InlineData("@Flash/0xFFFFFFFF/02*001Kg")]
    public void MemoryLayout_Malformed_Throws(string layout)
    {
        Action act = () => SimulatedMemoryLayout.Parse(layout);
        act.Should().Throw<FormatException>();
    }
}
