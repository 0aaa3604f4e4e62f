using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

public sealed class DfuStateTableTests
{
    private static DeviceDriver Dfu11(DfuAttributes? attributes = null, ushort transferSize = 1024)
        => DeviceDriver.Create(SimulatedProfiles.Dfu11 with
        {
            Attributes = attributes ?? SimulatedProfiles.Dfu11.Attributes,
            TransferSize = transferSize,
        });

    [Fact]
    public void GetStatus_NewDevice_ReportsIdleOk()
    {
        DeviceDriver d = Dfu11();
        DfuStatusReport r = d.GetStatus();
        r.Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuIdle, 0));
    }

    [Fact]
    public void Dnload_InIdle_GoesThroughSyncBusyToDnloadIdle()
    {
        DeviceDriver d = Dfu11();
        d.Dnload(0, new byte[1024]).Status.Should().Be(SimulatedControlStatus.Ack);
        d.GetState().Should().Be(DfuState.DfuDnloadSync);
        DfuStatusReport busy = d.GetStatus();
        busy.State.Should().Be(DfuState.DfuDnbusy);
        busy.PollTimeout.Should().Be(6);
        d.GetStatus().State.Should().Be(DfuState.DfuDnloadIdle);
    }

    [Fact]
    public void ZeroLengthDnload_InIdle_StallsIntoErrorWithStalledPkt()
    {
        DeviceDriver d = Dfu11();
        d.Dnload(0, default).Status.Should().Be(SimulatedControlStatus.Stall);
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.ErrStalledPkt, 0, DfuState.DfuError, 0));
    }

    [Theory]
    [InlineData(DfuRequest.ClrStatus)]
    [InlineData(DfuRequest.Detach)]
    public void OutRequest_NotAllowedInIdle_StallsIntoError(DfuRequest request)
    {
        DeviceDriver d = Dfu11();
        d.Send(request).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
        d.Device.Status.Should().Be(DfuStatus.ErrStalledPkt);
    }

    [Fact]
    public void ClrStatus_InError_ReturnsToIdle()
    {
        DeviceDriver d = Dfu11();
        d.Send(DfuRequest.ClrStatus);
        d.ClrStatus();
        d.GetStatus().Should().Be(new DfuStatusReport(DfuStatus.Ok, 0, DfuState.DfuIdle, 0));
    }

    [Fact]
    public void IllegalRequest_InError_StallsAndKeepsFirstStatus()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, SimulatedFaults.Of(SimulatedFault.StatusAtBlock(0, DfuStatus.ErrWrite)));
        d.DnloadAndPoll(0, new byte[16]).Should().Be(new DfuStatusReport(DfuStatus.ErrWrite, 0, DfuState.DfuError, 0));
        d.Send(DfuRequest.Abort).Status.Should().Be(SimulatedControlStatus.Stall);
        d.GetStatus().Status.Should().Be(DfuStatus.ErrWrite);
    }

    [Fact]
    public void Abort_InDnloadIdle_ReturnsToIdle()
    {
        DeviceDriver d = Dfu11();
        d.DnloadAndPoll(0, new byte[64]);
        d.Abort();
        d.GetState().Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Abort_InDnloadSync_StallsIntoError()
    {
        DeviceDriver d = Dfu11();
        d.Dnload(0, new byte[64]);
        d.Send(DfuRequest.Abort).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void Upload_InDnloadIdle_StallsIntoError()
    {
        DeviceDriver d = Dfu11();
        d.DnloadAndPoll(0, new byte[64]);
        d.Upload(0, 64).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void Dnload_LongerThanTransferSize_Stalls()
    {
        DeviceDriver d = Dfu11(transferSize: 256);
        d.Dnload(0, new byte[257]).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void Dnload_WithoutCanDownload_Stalls()
    {
        DeviceDriver d = Dfu11(DfuAttributes.CanUpload);
        d.Dnload(0, new byte[4]).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.Status.Should().Be(DfuStatus.ErrStalledPkt);
    }

    [Fact]
    public void Upload_WithoutCanUpload_Stalls()
    {
        DeviceDriver d = Dfu11(DfuAttributes.CanDownload);
        d.Upload(0, 64).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void GetStatus_WithOutDirection_Stalls()
    {
        DeviceDriver d = Dfu11();
        d.Device.HandleControl(DeviceDriver.Out(DfuRequest.GetStatus, 0, 0), default).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuError);
    }

    [Fact]
    public void ClassRequest_ToAnotherInterface_StallsWithoutStateChange()
    {
        DeviceDriver d = Dfu11();
        d.Device.HandleControl(new UsbSetupPacket(0xA1, (byte)DfuRequest.GetStatus, 0, 1, 6), default).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Download_ManifestationTolerant_EndsInIdleAndUploadReturnsImage()
    {
        DeviceDriver d = Dfu11();
        byte[] image = DeviceDriver.Pattern(2500, 1);
        for (int offset = 0, block = 0; offset < image.Length; offset += 1024, block++)
        {
            d.DnloadAndPoll((ushort)block, image.AsSpan(offset, Math.Min(1024, image.Length - offset))).State.Should().Be(DfuState.DfuDnloadIdle);
        }

        d.Dnload(3, default).Status.Should().Be(SimulatedControlStatus.Ack);
        d.GetState().Should().Be(DfuState.DfuManifestSync);
        DfuStatusReport manifest = d.GetStatus();
        manifest.State.Should().Be(DfuState.DfuManifest);
        manifest.PollTimeout.Should().Be(100);
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
        d.Device.Firmware.ToArray().Should().Equal(image);

        var read = new List<byte>();
        for (ushort block = 0; ; block++)
        {
            SimulatedControlResult r = d.Upload(block, 1024);
            r.Status.Should().Be(SimulatedControlStatus.Ack);
            read.AddRange(r.Data.ToArray());
            if (r.Data.Length < 1024)
            {
                break;
            }

            d.GetState().Should().Be(DfuState.DfuUploadIdle);
        }

        d.GetState().Should().Be(DfuState.DfuIdle);
        read.Should().Equal(image);
    }

    [Fact]
    public void Download_NotManifestationTolerant_WaitsForResetThenRestartsIdle()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11 with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload }, time: time);
        d.DnloadAndPoll(0, new byte[100]);
        d.Dnload(1, default);
        d.GetStatus().State.Should().Be(DfuState.DfuManifest);
        d.GetStatus().State.Should().Be(DfuState.DfuManifestWaitReset);
        d.Dnload(2, new byte[4]).Status.Should().Be(SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(DfuState.DfuManifestWaitReset);

        SimulatedControlResult reset = d.Device.BusReset();
        reset.Reenumerate.Should().BeFalse();
        d.Device.IsConnected.Should().BeTrue();
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
        d.Device.Firmware.Length.Should().Be(100);
    }

    [Fact]
    public void Upload_ExactMultipleOfLength_EndsWithEmptyShortFrame()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Dfu11, options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0, [.. DeviceDriver.Pattern(2048, 2)])],
        });
        d.Upload(0, 1024).Data.Length.Should().Be(1024);
        d.Upload(1, 1024).Data.Length.Should().Be(1024);
        d.GetState().Should().Be(DfuState.DfuUploadIdle);
        d.Upload(2, 1024).Data.Length.Should().Be(0);
        d.GetState().Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Dnload_WhileBusy_WaitsForTheBusyTimeOnTheClock()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Stm32F4, time: time);
        d.SetAddress(0x0800_0000);
        d.Dnload(0, DeviceDriver.Command(0x41, 0x0802_0000));
        TimeSpan before = time.Elapsed;
        d.GetStatus().State.Should().Be(DfuState.DfuDnbusy);
        d.GetStatus().State.Should().Be(DfuState.DfuDnloadIdle);
        (time.Elapsed - before).Should().Be(TimeSpan.FromSeconds(1) + (SimulatedBusTime.ControlTransfer(6) * 2), "the erase, and two GETSTATUS on the bus");
    }

    [Fact]
    public void Runtime_GetStatus_ReportsAppIdle()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime);
        d.GetStatus().State.Should().Be(DfuState.AppIdle);
    }

    [Fact]
    public void Runtime_IllegalRequest_StallsAndStaysAppIdle()
    {
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime);
        d.Dnload(0, new byte[4]).Status.Should().Be(SimulatedControlStatus.Stall);
        d.GetState().Should().Be(DfuState.AppIdle);
    }

    [Fact]
    public void Runtime_DetachWithWillDetach_ReenumeratesIntoDfuModeWithSameSerial()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime, time: time);
        string? serial = d.Device.Device.SerialNumber;
        SimulatedControlResult r = d.Send(DfuRequest.Detach, 1000);
        r.Reenumerate.Should().BeTrue();
        d.RawGetStatus().Status.Should().Be(SimulatedControlStatus.NoDevice);
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.Device.Device.DfuInterfaces.Single().Setting.Mode.Should().Be(DfuMode.Dfu);
        d.Device.Device.SerialNumber.Should().Be(serial);
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Runtime_DetachThenResetWithinTimeout_EntersDfuMode()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload }, time: time);
        d.Send(DfuRequest.Detach, 500).Reenumerate.Should().BeFalse();
        d.GetState().Should().Be(DfuState.AppDetach);
        time.Advance(TimeSpan.FromMilliseconds(400));
        d.Device.BusReset().Reenumerate.Should().BeTrue();
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.Device.Profile.IsRuntime.Should().BeFalse();
        d.GetState().Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public void Runtime_DetachTimeoutExpires_ReturnsToAppIdleAndResetRestartsInRuntime()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime with { Attributes = DfuAttributes.CanDownload }, time: time);
        d.Send(DfuRequest.Detach, 500);
        time.Advance(TimeSpan.FromMilliseconds(501));
        d.GetState().Should().Be(DfuState.AppIdle);
        d.Device.BusReset();
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.Device.Profile.IsRuntime.Should().BeTrue();
    }

    [Fact]
    public void Runtime_AfterDownloadAndReset_ComesBackInRuntimeMode()
    {
        var time = new VirtualTimeProvider();
        DeviceDriver d = DeviceDriver.Create(SimulatedProfiles.Runtime, time: time);
        d.Send(DfuRequest.Detach, 1000);
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.DnloadAndPoll(0, new byte[10]);
        d.Dnload(1, default);
        d.GetStatus();
        d.GetStatus().State.Should().Be(DfuState.DfuIdle);
        d.Device.BusReset();
        time.Advance(TimeSpan.FromMilliseconds(100));
        d.Device.Profile.Name.Should().Be("runtime");
        d.GetState().Should().Be(DfuState.AppIdle);
    }
}
