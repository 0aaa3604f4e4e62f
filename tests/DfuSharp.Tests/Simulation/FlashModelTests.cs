using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.Simulation;

public sealed class FlashModelTests
{
    [Fact]
    public void Program_UnerasedFlashOnStm32F4_ReportsCheckErasedAndAndsBits()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        d.Write(0x0800_0000, [0x0F, 0xF0]).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        d.Write(0x0800_0000, [0x0F, 0x00]).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        DfuStatusReport r = d.Write(0x0800_0000, [0xF0, 0xF0]);
        r.Should().Be(new DfuStatusReport(DfuStatus.ErrCheckErased, 0, DfuState.DfuError, 0));
        d.Device.ReadMemory(0x0800_0000, 2).Should().Equal(0x00, 0x00);
    }

    [Fact]
    public void Program_UnerasedFlashOnStm32F1App_SilentlyCorrupts()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App);
        d.Write(0x0800_3000, [0x0F]).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        d.Write(0x0800_3000, [0xF0]).Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuDnloadIdle, 0));
        d.Device.ReadMemory(0x0800_3000, 1).Should().Equal(0x00);
    }

    [Fact]
    public void Program_AfterErase_StoresExactData()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        byte[] data = DeviceDriver.Pattern(2048, 7);
        d.Write(0x0800_0000, data);
        d.Abort();
        d.Erase(0x0800_0000).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        byte[] again = DeviceDriver.Pattern(2048, 8);
        d.Write(0x0800_0000, again).Status.Should().Be(DfuStatus.Ok);
        d.Device.ReadMemory(0x0800_0000, 2048).Should().Equal(again);
    }

    [Fact]
    public void Program_PastEndOfFlash_ReportsErrAddress()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        d.Write(0x080F_FC00, new byte[2048]).Status.Should().Be(DfuStatus.ErrAddress);
    }

    [Fact]
    public void Program_OtpTwice_CanOnlyClearBits()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x01, 11, 2, 0, 0), default);
        d.Write(0x1FFF_7800, [0x12]).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        d.Write(0x1FFF_7800, [0x34]).Status.Should().Be(DfuStatus.ErrCheckErased);
        d.Device.ReadMemory(0x1FFF_7800, 1).Should().Equal(0x12 & 0x34);
    }

    [Fact]
    public void Program_OptionBytes_ReplacesBytes()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4);
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x01, 11, 1, 0, 0), default);
        d.Write(0x1FFF_C008, [0xFE, 0x0F]).Status.Should().Be(DfuStatus.Ok);
        d.Device.ReadMemory(0x1FFF_C008, 2).Should().Equal(0xFE, 0x0F);
    }

    [Fact]
    public void ReadProtected_Upload_StallsWithErrVendorAndText()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, options: new SimulatedDeviceOptions { ReadProtected = true });
        d.SetAddress(0x0800_0000).Status.Should().Be(DfuStatus.Ok);
        d.Abort();
        d.Upload(2, 2048).Status.Should().Be(SimulatedControlStatus.Stall);
        DfuStatusReport r = d.GetStatus();
        r.Status.Should().Be(DfuStatus.ErrVendor);
        r.StringIndex.Should().NotBe(0);
        SimulatedControlResult text = d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x80, 6, (ushort)(0x0300 | r.StringIndex), 0x0409, 255), default);
        System.Text.Encoding.Unicode.GetString(text.Data.Span[2..]).Should().Be("Read protection active");
    }

    [Fact]
    public void ReadProtected_EraseAndWrite_ReportErrVendor()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, options: new SimulatedDeviceOptions { ReadProtected = true });
        d.Erase(0x0800_0000).Status.Should().Be(DfuStatus.ErrVendor);
        d.ClrStatus();
        d.Write(0x0800_0000, new byte[4]).Status.Should().Be(DfuStatus.ErrVendor);
    }

    [Fact]
    public void ReadUnprotect_MassErasesClearsProtectionAndResets()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, time: time, options: new SimulatedDeviceOptions
        {
            ReadProtected = true,
            InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [1, 2, 3, 4])],
        });
        d.Dnload(0, [0x92]).Status.Should().Be(SimulatedControlStatus.Ack);
        SimulatedControlResult r = d.RawGetStatus();
        r.Reenumerate.Should().BeTrue();
        DfuStatusReport.Parse(r.Data.Span).State.Should().Be(DfuState.DfuDnbusy);
        d.Device.ReadProtected.Should().BeFalse();
        d.Device.ReadMemory(0x0800_0000, 4).Should().OnlyContain(b => b == 0xFF);
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.NoDevice);
        time.Advance(TimeSpan.FromSeconds(8));
        d.Device.IsConnected.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(200));
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void OptionBytes_RdpWritten_TurnsProtectionOnThenOffWithMassErase()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [1, 2, 3, 4])],
        });
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x01, 11, 1, 0, 0), default);
        d.Write(0x1FFF_C000, [0xEC, 0x55]).Status.Should().Be(DfuStatus.Ok);
        d.Device.ReadProtected.Should().BeTrue();
        d.Device.ReadMemory(0x0800_0000, 4).Should().Equal(1, 2, 3, 4);
        d.Abort();
        d.Read(0x1FFF_C000, 2).Should().Equal(0xEC, 0x55);
        d.Write(0x1FFF_C000, [0xEC, 0xAA]).Status.Should().Be(DfuStatus.Ok);
        d.Device.ReadProtected.Should().BeFalse();
        d.Device.ReadMemory(0x0800_0000, 4).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public void ReadProtected_AtStart_ShowsInOptionBytes()
    {
        var device = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { ReadProtected = true });
        device.ReadMemory(0x1FFF_C001, 1).Should().NotEqual(new byte[] { 0xAA });
    }

    [Fact]
    public void WriteProtectedSector_EraseAndProgram_ReportErrWrite()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, options: new SimulatedDeviceOptions { WriteProtectedSectors = [0x0800_4000] });
        d.Erase(0x0800_4000).Status.Should().Be(DfuStatus.ErrWrite);
        d.ClrStatus();
        d.Write(0x0800_7FF0, new byte[32]).Status.Should().Be(DfuStatus.ErrWrite);
        d.ClrStatus();
        d.MassErase().Status.Should().Be(DfuStatus.ErrWrite);
        d.ClrStatus();
        d.Erase(0x0800_0000).Status.Should().Be(DfuStatus.Ok);
    }
}
