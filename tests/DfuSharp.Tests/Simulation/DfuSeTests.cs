using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.Simulation;

public sealed class DfuSeTests
{
    private static DeviceDriver F4(SimulatedFaults? faults = null, VirtualTimeProvider? time = null, SimulatedDeviceOptions? options = null)
        => DeviceDriver.Create(SimulatedProfiles.Stm32F4, faults, time, options);

    [Fact]
    public void UploadBlock0_InIdle_ReturnsGetCommandsAndStaysIdle()
    {
        DeviceDriver d = F4();
        SimulatedControlResult r = d.Upload(0, 2048);
        r.Data.ToArray().Should().Equal(0x00, 0x21, 0x41, 0x92);
        d.GetState().Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void SetAddress_ValidAddress_GoesThroughBusyToDnloadIdleAndSetsPointer()
    {
        DeviceDriver d = F4();
        d.Dnload(0, DeviceDriver.Command(0x21, 0x0800_4000)).Status.Should().Be(SimulatedControlStatus.Ack);
        DfuStatusReport busy = d.GetStatus();
        busy.State.Should().Be(DfuState.DfuDnbusy);
        busy.PollTimeout.Should().Be(104);
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuDnloadIdle, 0));
        d.Device.AddressPointer.Should().Be(0x0800_4000u);
    }

    [Fact]
    public void SetAddress_OutsideLayout_ReportsErrTargetAfterBusy()
    {
        DeviceDriver d = F4();
        d.Dnload(0, DeviceDriver.Command(0x21, 0x0000_0000));
        d.GetStatus().State.Should().Be(DfuState.DfuDnbusy);
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.ErrTarget, 0, DfuState.DfuError, 0));
    }

    [Theory]
    [InlineData(new byte[] { 0x21, 0x00 })]
    [InlineData(new byte[] { 0x41, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x55 })]
    [InlineData(new byte[] { 0x92, 0x00 })]
    public void Dnload_MalformedCommand_Stalls(byte[] command)
    {
        DeviceDriver d = F4();
        d.Dnload(0, command).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
        d.Device.Status.Should().Be(DfuStatus.ErrStalledPkt);
    }

    [Fact]
    public void DnloadBlock1_Stalls()
    {
        DeviceDriver d = F4();
        d.Dnload(1, new byte[16]).Status.Should().Be(SimulatedControlStatus.Stall);
    }

    [Fact]
    public void Write_Blocks_LandAtPointerPlusBlockTimesTransferSize()
    {
        DeviceDriver d = F4();
        byte[] first = DeviceDriver.Pattern(2048, 3);
        byte[] second = DeviceDriver.Pattern(100, 4);
        d.SetAddress(0x0800_0000);
        d.DnloadAndPoll(2, first).State.Should().Be(DfuState.DfuDnloadIdle);
        d.DnloadAndPoll(3, second).State.Should().Be(DfuState.DfuDnloadIdle);
        d.Device.ReadMemory(0x0800_0000, 2048).Should().Equal(first);
        d.Device.ReadMemory(0x0800_0800, 100).Should().Equal(second);
    }

    [Fact]
    public void Upload_BlocksFromPointer_ReadBackWhatWasWritten()
    {
        DeviceDriver d = F4();
        byte[] data = DeviceDriver.Pattern(3000, 5);
        d.SetAddress(0x0801_0000);
        d.DnloadAndPoll(2, data.AsSpan(0, 2048));
        d.DnloadAndPoll(3, data.AsSpan(2048));
        d.Abort();
        d.Upload(2, 2048).Data.ToArray().Should().Equal(data[..2048]);
        d.GetState().Should().Be(DfuState.DfuUploadIdle);
        d.Upload(3, 2048).Data.ToArray().Should().Equal(data[2048..].Concat(Enumerable.Repeat((byte)0xFF, 2048 - 952)));
    }

    [Fact]
    public void Upload_AtEndOfFlash_ReturnsShortFrameAndIdle()
    {
        DeviceDriver d = F4();
        d.SetAddress(0x080F_FC00);
        d.Abort();
        d.Upload(2, 2048).Data.Length.Should().Be(1024);
        d.GetState().Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Upload_InDnloadIdle_StallsIntoError()
    {
        DeviceDriver d = F4();
        d.SetAddress(0x0800_0000);
        d.Upload(2, 2048).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void Erase_Sector_SetsWholeSectorToFF()
    {
        DeviceDriver d = F4(options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x0800_4000, [.. new byte[0x8000]])],
        });
        d.Erase(0x0800_4100).Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuDnloadIdle, 0));
        d.Device.ReadMemory(0x0800_4000, 0x4000).Should().OnlyContain(b => b == 0xFF);
        d.Device.ReadMemory(0x0800_8000, 0x4000).Should().OnlyContain(b => b == 0x00);
    }

    [Theory]
    [InlineData(0x0800_0000u, 250)]
    [InlineData(0x0801_0000u, 550)]
    [InlineData(0x0802_0000u, 1000)]
    public void Erase_Sector_TakesDatasheetTimeButReports100Ms(uint address, int milliseconds)
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = F4(time: time);
        d.Dnload(0, DeviceDriver.Command(0x41, address));
        TimeSpan start = time.Elapsed;
        d.GetStatus().PollTimeout.Should().Be(100);
        d.GetStatus().State.Should().Be(DfuState.DfuDnloadIdle);
        (time.Elapsed - start).Should().Be(TimeSpan.FromMilliseconds(milliseconds) + (SimulatedBusTime.ControlTransfer(6) * 2), "the erase, and two GETSTATUS on the bus");
    }

    [Fact]
    public void RequiredWaitTime_SumsLongerOfPollAndBusy()
    {
        DeviceDriver d = F4();
        d.Erase(0x0802_0000);
        d.Write(0x0800_0000, new byte[2048]);
        d.Device.RequiredWaitTime.Should().Be(TimeSpan.FromMilliseconds(1000 + 104 + 104));

        // Busy time, plus the bus time of the three DNLOADs and six GETSTATUS (SimulatedBusTime).
        TimeSpan bus = (SimulatedBusTime.ControlTransfer(5) * 2) + SimulatedBusTime.ControlTransfer(2048) + (SimulatedBusTime.ControlTransfer(6) * 6);
        d.Device.DeviceMinimumTime.Should().Be(TimeSpan.FromMilliseconds(1000 + 8.192) + bus);
    }

    [Fact]
    public void MassErase_ErasesAllFlashTakingEightSeconds()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = F4(time: time, options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x080E_0000, [.. new byte[16]])],
        });
        d.MassErase().State.Should().Be(DfuState.DfuDnloadIdle);
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(8) + SimulatedBusTime.ControlTransfer(1) + (SimulatedBusTime.ControlTransfer(6) * 2), "the erase, its DNLOAD and two GETSTATUS on the bus");
        d.Device.ReadMemory(0x080E_0000, 16).Should().OnlyContain(b => b == 0xFF);
    }

    [Fact]
    public void Erase_OutsideLayout_ReportsErrTarget()
    {
        DeviceDriver d = F4();
        d.Erase(0x0810_0000).Should().Be(new DfuStatusReport(DfuStatus.ErrTarget, 0, DfuState.DfuError, 0));
    }

    [Fact]
    public void Leave_AfterSetAddress_AnswersManifestAndReenumerates()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = F4(time: time);
        d.SetAddress(0x0800_0000);
        d.Dnload(2, default).Status.Should().Be(SimulatedControlStatus.Ack);
        d.GetState().Should().Be(DfuState.DfuManifestSync);
        SimulatedControlResult r = d.RawGetStatus();
        r.Status.Should().Be(SimulatedControlStatus.Ack);
        r.Reenumerate.Should().BeTrue();
        DfuStatusReport.Parse(r.Data.Span).State.Should().Be(DfuState.DfuManifest);
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.NoDevice);
        time.Advance(TimeSpan.FromMilliseconds(200));
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Leave_FromIdleWithoutSetAddress_IsAcceptedAsOnStDevices()
    {
        DeviceDriver d = F4();
        d.Dnload(2, default).Status.Should().Be(SimulatedControlStatus.Ack);
        SimulatedControlResult r = d.RawGetStatus();
        r.Reenumerate.Should().BeTrue();
        DfuStatusReport.Parse(r.Data.Span).State.Should().Be(DfuState.DfuManifest);
    }

    [Fact]
    public void AlternateSetting_OptionBytes_ReadsFactoryDefaults()
    {
        DeviceDriver d = F4();
        d.Device.HandleControl(new DfuSharp.Usb.UsbSetupPacket(0x01, 11, 1, 0, 0), default).Status.Should().Be(SimulatedControlStatus.Ack);
        d.Read(0x1FFF_C000, 16).Should().Equal(0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
    }

    [Fact]
    public void SetAddress_InAnotherAlternateSettingsMemory_ReportsErrTarget()
    {
        DeviceDriver d = F4();
        d.SetAddress(0x1FFF_C000).Status.Should().Be(DfuStatus.ErrTarget);
    }

    [Fact]
    public void Stm32F1App_GetCommands_HasNoReadUnprotect()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App);
        d.Upload(0, 1024).Data.ToArray().Should().Equal(0x00, 0x21, 0x41);
        d.Dnload(0, [0x92]).Status.Should().Be(SimulatedControlStatus.Stall);
    }

    [Theory]
    [InlineData(0x0800_0000u)]
    [InlineData(0x0800_2C00u)]
    public void Stm32F1App_EraseInBootloader_ReportsErrTarget(uint address)
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App);
        d.Erase(address).Should().Be(new DfuStatusReport(DfuStatus.ErrTarget, 0, DfuState.DfuError, 0));
    }

    [Fact]
    public void Stm32F1App_WriteIntoBootloader_ReportsErrTarget()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App);
        d.Write(0x0800_2C00, new byte[1024]).Status.Should().Be(DfuStatus.ErrTarget);
    }

    [Fact]
    public void Stm32F1App_WriteAtApplicationStart_Succeeds()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App);
        byte[] data = DeviceDriver.Pattern(1024, 6);
        d.Erase(0x0800_3000).Status.Should().Be(DfuStatus.Ok);
        d.Write(0x0800_3000, data).Status.Should().Be(DfuStatus.Ok);
        d.Read(0x0800_3000, 1024).Should().Equal(data);
    }

    [Fact]
    public void Stm32F1App_MassErase_KeepsBootloader()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F1App, options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. new byte[0x4000]])],
        });
        d.MassErase().Status.Should().Be(DfuStatus.Ok);
        d.Device.ReadMemory(0x0800_0000, 0x3000).Should().OnlyContain(b => b == 0x00);
        d.Device.ReadMemory(0x0800_3000, 0x1000).Should().OnlyContain(b => b == 0xFF);
    }
}
