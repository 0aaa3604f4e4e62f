using System.Buffers.Binary;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

/// <summary>The hid-runtime profile: a HID application with ST's HID detach.</summary>
public sealed class HidRuntimeTests
{
    private readonly VirtualTimeProvider _time = new();
    private readonly SimulatedDfuDevice _device;

    public HidRuntimeTests() => _device = SimulatedDfuDevice.Create("hid-runtime", new SimulatedDeviceOptions { TimeProvider = _time });

    private static UsbSetupPacket SetReport(ushort value, ushort length) => new(0x21, 0x09, value, 0, length);

    private SimulatedControlResult Get(byte requestType, int type, ushort index = 0)
        => _device.HandleControl(new UsbSetupPacket(requestType, 6, (ushort)(type << 8), index, 0xFFFF), default);

    [Fact]
    public void ConfigurationDescriptor_HidInterfaceWithHidDescriptorAndInterruptEndpoint()
    {
        byte[] config = Get(0x80, 2).Data.ToArray();
        int reportLength = SimulatedProfiles.HidRuntime.HidReportDescriptor.Length;

        BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(2)).Should().Be((ushort)config.Length);
        config.AsSpan(9, 9).ToArray().Should().Equal(9, 4, 0, 0, 1, 0x03, 0, 0, 4);
        config.AsSpan(18, 9).ToArray().Should().Equal(9, 0x21, 0x11, 0x01, 0, 1, 0x22, (byte)reportLength, (byte)(reportLength >> 8));
        config.AsSpan(27).ToArray().Should().Equal(7, 5, 0x81, 0x03, 64, 0, 10);
    }

    [Fact]
    public void GetDescriptor0x21_HidApplication_IsTheHidDescriptor()
        => Get(0x81, 0x21).Data.ToArray().Should().Equal(Get(0x80, 2).Data.ToArray().AsSpan(18, 9).ToArray());

    [Fact]
    public void GetDescriptor0x22_ToTheInterface_IsTheReportDescriptor()
    {
        Get(0x81, 0x22).Data.ToArray().Should().Equal(SimulatedProfiles.HidRuntime.HidReportDescriptor);
        Get(0x81, 0x22, index: 1).Status.Should().Be(SimulatedControlStatus.Stall, "there is no interface 1");
        Get(0x80, 0x22).Status.Should().Be(SimulatedControlStatus.Stall, "a report descriptor belongs to an interface");
    }

    [Fact]
    public void Device_HidApplication_NoDfuInterfaceAndAHidSetting()
    {
        UsbDeviceInfo info = _device.Device;
        info.DfuInterfaces.Should().BeEmpty();
        UsbAlternateSettingInfo setting = info.Configurations.Single().Interfaces.Single().AlternateSettings.Single();
        setting.InterfaceClass.Should().Be(0x03);
        setting.Name.Should().Be("Custom HID");
        setting.Dfu.Should().BeNull();
        setting.ExtraDescriptors.ToArray().Should().HaveCount(9).And.StartWith(new byte[] { 9, 0x21 });
        info.SerialNumber.Should().Be(SimulatedProfiles.Stm32F4.SerialNumber);
    }

    [Theory]
    [InlineData(0x0380, new byte[] { 0x81, 0x55 })]       // another report id in the data
    [InlineData(0x0381, new byte[] { 0x81, 0x55 })]       // another report
    [InlineData(0x0280, new byte[] { 0x80, 0x55 })]       // an Output report, not the Feature report
    [InlineData(0x0380, new byte[] { 0x80, 0x55, 0x00 })] // too long
    public void SetReport_NotTheDetachReport_StallsAndStays(ushort value, byte[] data)
    {
        SimulatedControlResult result = _device.HandleControl(SetReport(value, (ushort)data.Length), data);

        result.Status.Should().Be(SimulatedControlStatus.Stall);
        _device.IsConnected.Should().BeTrue();
        _device.Profile.Name.Should().Be("hid-runtime");
    }

    [Fact]
    public async Task SetReport_DetachReport_ReenumeratesAsTheStm32F4BootloaderWithTheSameSerialAndPort()
    {
        SimulatedControlResult result = _device.HandleControl(SetReport(0x0380, 2), new byte[] { 0x80, 0x55 });

        result.Status.Should().Be(SimulatedControlStatus.Ack);
        result.Reenumerate.Should().BeTrue();
        _device.IsConnected.Should().BeFalse();
        await _device.WaitUntilConnectedAsync();
        _time.Elapsed.Should().Be(TimeSpan.FromMilliseconds(200));
        UsbDeviceInfo info = _device.Device;
        (info.VendorId, info.ProductId).Should().Be(((ushort)0x0483, (ushort)0xDF11));
        info.SerialNumber.Should().Be(SimulatedProfiles.HidRuntime.SerialNumber);
        info.PortPath.Should().Be("sim:hid-runtime");
        info.DfuInterfaces.Should().HaveCount(4);
        _device.State.Should().Be(DfuState.DfuIdle);
        _device.Transcript.Entries.Select(e => e.Name).Should().Equal("HID_SET_REPORT");
    }

    [Theory]
    [InlineData(DfuRequest.Detach)]
    [InlineData(DfuRequest.GetStatus)]
    public void DfuRequest_HidApplication_Stalls(DfuRequest request)
    {
        UsbSetupPacket setup = request == DfuRequest.GetStatus ? DeviceDriver.In(request, 0, 6) : DeviceDriver.Out(request, 1000);
        _device.HandleControl(setup, default).Status.Should().Be(SimulatedControlStatus.Stall);
        _device.IsConnected.Should().BeTrue();
    }

    [Fact]
    public void SetIdle_Acknowledged()
        => _device.HandleControl(new UsbSetupPacket(0x21, 0x0A, 0, 0, 0), default).Status.Should().Be(SimulatedControlStatus.Ack);

    [Fact]
    public void BusReset_HidApplication_RestartsAsItself()
    {
        _device.BusReset().Reenumerate.Should().BeFalse();
        _device.Profile.Name.Should().Be("hid-runtime");
    }
}
