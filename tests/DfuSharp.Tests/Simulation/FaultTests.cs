using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class FaultTests
{
    [Fact]
    public void StallRequest_SecondGetStatus_StallsOnlyThatOne()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.StallRequest(DfuRequest.GetStatus, 2)));
        d.GetStatus();
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.Stall);
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.ErrStalledPkt, 0, DfuState.DfuError, 0));
    }

    [Fact]
    public void StallAtBlock_ThirdBlock_StallsIntoError()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.StallAtBlock(2)));
        d.DnloadAndPoll(0, new byte[8]).Status.Should().Be(DfuStatus.Ok);
        d.DnloadAndPoll(1, new byte[8]).Status.Should().Be(DfuStatus.Ok);
        d.Dnload(2, new byte[8]).Status.Should().Be(SimulatedControlStatus.Stall);
        d.GetStatus().Status.Should().Be(DfuStatus.ErrStalledPkt);
    }

    [Theory]
    [InlineData(DfuStatus.ErrWrite)]
    [InlineData(DfuStatus.ErrVerify)]
    [InlineData(DfuStatus.ErrTarget)]
    [InlineData(DfuStatus.ErrCheckErased)]
    [InlineData(DfuStatus.ErrProg)]
    public void StatusAtBlock_ReportsStatusAfterBusy(DfuStatus status)
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, SimulatedFaults.Of(SimulatedFault.StatusAtBlock(1, status)));
        d.Write(0x0800_0000, new byte[2048]).Status.Should().Be(DfuStatus.Ok);
        d.Dnload(3, new byte[2048]);
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.Ok, 104, DfuState.DfuDnbusy, 0));
        d.GetStatus().Should().Be(new DfuStatusReport(status, 0, DfuState.DfuError, 0));
    }

    [Fact]
    public void StatusAtBlock_ErrVendorWithText_ExposesStringDescriptor()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.StatusAtBlock(0, DfuStatus.ErrVendor, "Flash locked")));
        DfuStatusReport r = d.DnloadAndPoll(0, new byte[8]);
        r.Status.Should().Be(DfuStatus.ErrVendor);
        r.StringIndex.Should().Be(5);
        SimulatedControlResult s = d.Device.HandleControl(new UsbSetupPacket(0x80, 6, 0x0305, 0x0409, 255), default);
        System.Text.Encoding.Unicode.GetString(s.Data.Span[2..]).Should().Be("Flash locked");
        d.ClrStatus();
        d.GetStatus().StringIndex.Should().Be(0);
    }

    [Fact]
    public void GetStatusNeverAnswers_AfterBlock_TimesOut()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.GetStatusNeverAnswers(afterDataBlock: 0)));
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
        d.Dnload(0, new byte[8]);
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.Timeout);
    }

    [Fact]
    public async Task GetStatusNeverAnswers_OverTransport_ThrowsTimeoutAfterRequestedTimeout()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.GetStatusNeverAnswers()), time);
        await using IUsbTransport usb = d.Device.Connect();
        Func<Task> act = async () => await usb.ControlInAsync(DeviceDriver.In(DfuRequest.GetStatus, 0, 6), new byte[6], TimeSpan.FromSeconds(3));
        (await act.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.Timeout);
        time.Elapsed.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void DisconnectAtBlock_DropsOffAndComesBackIdle()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.DisconnectAtBlock(1)), time);
        d.DnloadAndPoll(0, new byte[8]);
        SimulatedControlResult r = d.Dnload(1, new byte[8]);
        r.Status.Should().Be(SimulatedControlStatus.NoDevice);
        r.Reenumerate.Should().BeTrue();
        d.Device.IsConnected.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void DisconnectDuringErase_AnswersBusyThenIsGone()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, SimulatedFaults.Of(SimulatedFault.DisconnectDuringErase(2)));
        d.Erase(0x0800_0000).Status.Should().Be(DfuStatus.Ok);
        d.Dnload(0, DeviceDriver.Command(0x41, 0x0800_4000));
        SimulatedControlResult r = d.RawGetStatus();
        r.Reenumerate.Should().BeTrue();
        DfuStatusReport.Parse(r.Data.Span).State.Should().Be(DfuState.DfuDnbusy);
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.NoDevice);
    }

    [Fact]
    public void DisconnectAtLeave_GetStatusFindsNoDevice()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, SimulatedFaults.Of(SimulatedFault.DisconnectAtLeave()));
        d.SetAddress(0x0800_0000);
        d.Dnload(2, default);
        SimulatedControlResult r = d.RawGetStatus();
        r.Status.Should().Be(SimulatedControlStatus.NoDevice);
        r.Reenumerate.Should().BeTrue();
    }

    [Fact]
    public void WrongState_AfterBlock_LiesOnce()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.WrongState(DfuState.DfuUploadIdle, afterDataBlock: 0)));
        d.Dnload(0, new byte[8]);
        d.GetStatus().State.Should().Be(DfuState.DfuUploadIdle);
        d.GetStatus().State.Should().Be(DfuState.DfuDnloadIdle);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFF_FFFFu)]
    public void PollTimeout_Override_IsReportedButBusyTimeUnchanged(uint poll)
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, SimulatedFaults.Of(SimulatedFault.PollTimeoutOf(poll)), time);
        d.SetAddress(0x0800_0000);
        d.Dnload(0, DeviceDriver.Command(0x41, 0x0800_0000));
        TimeSpan start = time.Elapsed;
        d.GetStatus().PollTimeout.Should().Be(poll);
        d.GetStatus().State.Should().Be(DfuState.DfuDnloadIdle);
        (time.Elapsed - start).Should().Be(TimeSpan.FromMilliseconds(250) + (SimulatedBusTime.ControlTransfer(6) * 2), "the erase, and two GETSTATUS on the bus");
    }

    [Fact]
    public void RealTransferSize_Smaller_StallsFullBlocksButAcceptsSmallOnes()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.RealTransferSize(512)));
        d.Device.Device.DfuInterfaces.Single().Setting.Dfu!.TransferSize.Should().Be(1024);
        d.DnloadAndPoll(0, new byte[512]).Status.Should().Be(DfuStatus.Ok);
        d.Dnload(1, new byte[1024]).Status.Should().Be(SimulatedControlStatus.Stall);
    }

    [Fact]
    public void CorruptWrite_FlipsOneBitAndReportsSuccess()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.CorruptWrite(1)));
        byte[] a = DeviceDriver.Pattern(1024, 9);
        byte[] b = DeviceDriver.Pattern(1024, 10);
        d.DnloadAndPoll(0, a).Status.Should().Be(DfuStatus.Ok);
        d.DnloadAndPoll(1, b).Status.Should().Be(DfuStatus.Ok);
        byte[] stored = d.Device.Firmware.ToArray();
        stored[..1024].Should().Equal(a);
        stored[1024..].Should().NotEqual(b);
        stored[1024..].Zip(b, (x, y) => System.Numerics.BitOperations.PopCount((uint)(x ^ y))).Sum().Should().Be(1);
    }

    [Fact]
    public void Faults_Composed_AllApply()
    {
        SimulatedFaults faults = SimulatedFaults.Of(SimulatedFault.PollTimeoutOf(0)).And(SimulatedFault.StatusAtBlock(0, DfuStatus.ErrVerify));
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, faults);
        d.Dnload(0, new byte[4]);
        d.GetStatus().PollTimeout.Should().Be(0);
        d.GetStatus().Status.Should().Be(DfuStatus.ErrVerify);
    }
}
