using System.Text.Json;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.EndToEnd;

public class DeviceOperationsTests
{
    [Fact]
    public async Task DownloadAsync_Dfu11_WaitsExactlyTheReportedPollTimeouts()
    {
        var sim = SimHarness.Create("dfu11");
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        int firstEntry = sim.Device.Transcript.Entries.Count;

        await device.DownloadAsync(SimHarness.PlainFile(SimHarness.Random(3000, 1)), new DownloadOptions { Pacing = DfuPacing.Spec });

        // Three blocks at 6 ms each and 100 ms of manifestation: the device's busy time (5.1 ms a block) hides under
        // the poll timeouts, so the host adds nothing.
        (sim.Time.Elapsed - start).Should().Be(TimeSpan.FromMilliseconds((3 * 6) + 100) + SimHarness.BusTime(sim.Device.Transcript.Entries.Skip(firstEntry)));
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("stm32f1-app")]
    [InlineData("dfu11")]
    public async Task DownloadAsync_VerifiedDownloadWithSpecPacing_HostWaitsNoMoreThanTheDeviceRequires(string profile)
    {
        var sim = SimHarness.Create(profile);
        SimulatedDeviceProfile p = sim.Device.Profile;
        byte[] data = SimHarness.Random(40_000, 2);
        DfuFile file = p.IsDfuSe ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u, data) : SimHarness.PlainFile(data);
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        int firstEntry = sim.Device.Transcript.Entries.Count;

        await device.DownloadAsync(file, new DownloadOptions { Verify = true, Pacing = DfuPacing.Spec });

        (sim.Time.Elapsed - start).Should().Be(sim.Device.RequiredWaitTime + SimHarness.BusTime(sim.Device.Transcript.Entries.Skip(firstEntry)));
    }

    [Fact]
    public async Task DownloadAsync_WhileAnotherOperationRuns_RefusedWithoutTouchingTheDevice()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        var gate = new TaskCompletionSource();
        Task first = device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, new byte[16]), new DownloadOptions
        {
            Backup = async (_, _) => await gate.Task,
        });

        await FluentActions.Awaiting(() => device.UploadAsync(new UploadOptions { Address = 0x0800_0000, Length = 16 }))
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("*Another operation*");
        gate.SetResult();
        await first;
        (await device.UploadAsync(new UploadOptions { Address = 0x0800_0000, Length = 16 })).Should().Equal(new byte[16]);
    }

    [Fact]
    public async Task MassEraseAsync_Stm32F4_WaitsOutTheLongEraseAndClearsFlash()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. SimHarness.Random(4096, 3)])] });
        await using DfuDevice device = await sim.OpenAsync();
        var progress = new List<DfuProgress>();

        await device.DfuSe.MassEraseAsync(null, new RoundTripTests.SyncProgress(progress.Add));

        sim.Device.ReadMemory(0x0800_0000, 4096).Should().OnlyContain(b => b == 0xFF);
        sim.Time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(8));
        progress.Select(p => (p.Phase, p.Completed, p.Total, p.Unit)).Should().Equal((DfuPhase.Erase, 0L, 1L, DfuProgressUnit.Sectors), (DfuPhase.Erase, 1L, 1L, DfuProgressUnit.Sectors));
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task MassEraseAsync_ShortStatusTimeout_TimesOutAsTypedError()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { SlowRequestTimeout = TimeSpan.FromSeconds(1) });

        (await FluentActions.Awaiting(() => device.DfuSe.MassEraseAsync()).Should().ThrowAsync<UsbTransportException>())
            .Which.Error.Should().Be(UsbError.Timeout);
    }

    [Fact]
    public async Task GetCommandsAsync_Stm32F4_ListsReadUnprotect()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();

        (await device.DfuSe.GetCommandsAsync()).Should().Equal(DfuSeCommand.GetCommands, DfuSeCommand.SetAddress, DfuSeCommand.Erase, DfuSeCommand.ReadUnprotect);
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task ReadUnprotectAsync_ProtectedStm32F4_DeviceResetsAndIsUnprotected()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { ReadProtected = true });
        await using DfuDevice device = await sim.OpenAsync();

        DfuLeaveOutcome outcome = await device.DfuSe.ReadUnprotectAsync();

        outcome.Should().BeOneOf(DfuLeaveOutcome.Disconnected, DfuLeaveOutcome.Left);
        device.IsOpen.Should().BeFalse();
        await sim.Bus.WaitForDeviceAsync(_ => true, TimeSpan.FromSeconds(30));
        sim.Device.ReadProtected.Should().BeFalse();
    }

    [Fact]
    public async Task ReadUnprotectAsync_F1WithoutTheCommand_RefusedAfterAsking()
    {
        var sim = SimHarness.Create("stm32f1-app");
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.DfuSe.ReadUnprotectAsync()).Should().ThrowAsync<NotSupportedException>().WithMessage("*0x92*");
        sim.Device.Transcript.Entries.Should().Contain(e => e.Name == "DFU_UPLOAD");
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task UploadAsync_ReadProtectedStm32F4_TypedError()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { ReadProtected = true });
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.UploadAsync(new UploadOptions { Address = 0x0800_0000, Length = 16 }))
            .Should().ThrowAsync<DfuException>();
    }

    [Fact]
    public async Task DownloadAsync_BackupRequested_ReceivesOldContentBeforeWriting()
    {
        byte[] old = SimHarness.Random(6000, 8);
        byte[] next = SimHarness.Random(6000, 9);
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. old])] });
        await using DfuDevice device = await sim.OpenAsync();
        DfuFile? backup = null;
        int blocksWhenBackedUp = -1;
        byte[] sector = sim.Device.ReadMemory(0x0800_0000, 16 * 1024);

        await device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, next), new DownloadOptions
        {
            Verify = true,
            Backup = (file, _) =>
            {
                backup = file;
                blocksWhenBackedUp = sim.Device.DataBlocksReceived;
                return ValueTask.CompletedTask;
            },
        });

        blocksWhenBackedUp.Should().Be(0);
        backup!.Suffix!.VendorId.Should().Be(0x0483);
        backup.Suffix.DfuVersion.Should().Be(DfuSuffix.DfuSe);
        DfuSeTarget target = backup.DfuSe!.Targets.Should().ContainSingle().Subject;
        target.Name.Should().Be("Internal Flash");
        // The backup is the erase set: the whole 16 KiB sector, not only the 6000 bytes the file covers.
        target.Elements.Should().ContainSingle().Which.Should().Be(new DfuSeElement(0x0800_0000, sector));
        sector.AsSpan(0, old.Length).ToArray().Should().Equal(old);
        sim.Device.ReadMemory(0x0800_0000, next.Length).Should().Equal(next);
    }

    [Fact]
    public async Task DownloadAsync_BackupThrows_NothingWritten()
    {
        var sim = SimHarness.Create("dfu11", new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0, [1, 2, 3])] });
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.PlainFile(new byte[100]), new DownloadOptions
        {
            Backup = (_, _) => throw new IOException("disk full"),
        })).Should().ThrowAsync<IOException>();

        sim.Device.DataBlocksReceived.Should().Be(0);
        sim.Device.Firmware.ToArray().Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task DownloadAsync_FileForAnotherDevice_RefusedUnlessForced()
    {
        var sim = SimHarness.Create("dfu11");
        await using DfuDevice device = await sim.OpenAsync();
        DfuFile file = SimHarness.PlainFile(new byte[10]) with { Suffix = new DfuSuffix { VendorId = 0x1234, ProductId = 0x5678 } };
        int before = sim.Device.Transcript.Count;

        await FluentActions.Awaiting(() => device.DownloadAsync(file)).Should().ThrowAsync<DfuFileMismatchException>();
        sim.Device.Transcript.Count.Should().Be(before);

        await device.DownloadAsync(file, new DownloadOptions { Force = true });
        sim.Device.Firmware.Length.Should().Be(10);
    }

    [Fact]
    public async Task DownloadAsync_DfuSeTargetForMissingAlternateSetting_Refused()
    {
        var sim = SimHarness.Create("stm32f1-app");
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.DfuSeFile(0x1209, 0xDB42, 3, 0x0800_3000, new byte[4])))
            .Should().ThrowAsync<DfuFileMismatchException>().WithMessage("*alternate setting 3*");
    }

    [Fact]
    public async Task DownloadAsync_RawFileOnDfuSeWithAddress_WritesThere()
    {
        var sim = SimHarness.Create("stm32f4");
        byte[] data = SimHarness.Random(3000, 4);
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.DownloadAsync(new DfuFile { Firmware = data })).Should().ThrowAsync<DfuFileMismatchException>().WithMessage("*address*");
        await device.DownloadAsync(new DfuFile { Firmware = data }, new DownloadOptions { Address = 0x0802_0000, Verify = true });

        sim.Device.ReadMemory(0x0802_0000, data.Length).Should().Equal(data);
    }

    [Fact]
    public async Task DownloadAsync_OptionBytesAlternateSetting_SelectedByTarget()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        byte[] options = [0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var file = new DfuFile { DfuSe = new DfuSeImage([new DfuSeTarget(1, "Option Bytes", [new DfuSeElement(0x1FFF_C000, options)])]) };

        TransferPlan plan = device.PlanDownload(file, new DownloadOptions { Verify = true, AllowOptionBytes = true });
        plan.Steps.Select(s => s.Kind).Should().Equal(
            TransferStepKind.SelectAlternateSetting, TransferStepKind.SetAddress, TransferStepKind.Write, TransferStepKind.Verify);
        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true, AllowOptionBytes = true });
        result.Verified.Should().BeTrue();
        sim.Device.AlternateSetting.Should().Be(1);
    }

    [Fact]
    public async Task PlanDownload_DryRun_NothingSentAndJsonDescribesPlan()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        int before = sim.Device.Transcript.Count;

        TransferPlan plan = device.PlanDownload(
            SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_3000, new byte[0x2000]), new DownloadOptions { Verify = true, Leave = true });

        sim.Device.Transcript.Count.Should().Be(before);
        using JsonDocument json = JsonDocument.Parse(plan.ToJson());
        json.RootElement.GetProperty("steps").EnumerateArray()
            .Where(s => s.GetProperty("kind").GetString() == "Erase").Select(s => s.GetProperty("address").GetUInt32())
            .Should().Equal(0x0800_0000u, 0x0800_4000u);
        json.RootElement.GetProperty("eraseCount").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task DetachAsync_RuntimeDeviceThatNeverReturns_ReenumerationTimeout()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Runtime, new SimulatedDeviceOptions { ReenumerationDelay = TimeSpan.FromHours(1) });
        await using DfuDevice device = await sim.OpenAsync();

        (await FluentActions.Awaiting(() => device.DetachAsync()).Should().ThrowAsync<DfuReenumerationTimeoutException>())
            .Which.Timeout.Should().Be(new DfuDeviceOptions().ReenumerationTimeout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DetachAsync_RuntimeDevice_ReopenedInDfuModeWithSameSerial(bool willDetach)
    {
        SimulatedDeviceProfile profile = RoundTripTests.Vary(SimulatedProfiles.Runtime, tolerant: true, willDetach, 0);
        var sim = SimHarness.Create(profile);
        await using DfuDevice device = await sim.OpenAsync();
        device.Mode.Should().Be(DfuMode.Runtime);

        await device.DetachAsync();

        device.Mode.Should().Be(DfuMode.Dfu);
        device.Info.SerialNumber.Should().Be(profile.SerialNumber);
        sim.Device.Transcript.Entries.Any(e => e.Name.Contains("RESET", StringComparison.OrdinalIgnoreCase)).Should().Be(!willDetach);
    }

    [Fact]
    public async Task OpenAsync_BySelectorAmongSeveral_PicksTheRightOne()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("dfu11", new SimulatedDeviceOptions { SerialNumber = "A" });
        bus.Add("dfu11", new SimulatedDeviceOptions { SerialNumber = "B" });
        bus.Add("stm32f4");

        await FluentActions.Awaiting(() => DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse("1209:df11"), new DfuDeviceOptions { TimeProvider = time }))
            .Should().ThrowAsync<DfuDeviceNotFoundException>().WithMessage("*\"A\"*\"B\"*");
        await using DfuDevice b = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse("serial=B"), new DfuDeviceOptions { TimeProvider = time });
        b.Info.SerialNumber.Should().Be("B");
        await using DfuDevice st = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse("0483:df11,alt=Option Bytes"), new DfuDeviceOptions { TimeProvider = time });
        st.Interface.Setting.Number.Should().Be(1);
        st.GetLayout()!.Name.Should().Be("Option Bytes");
        (await DfuDevice.ListAsync(bus)).Should().HaveCount(2 + 4);
    }
}

public class PlainDfuLeaveTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DownloadAsync_PlainDfuWithLeave_ResetAtTheEnd(bool tolerant)
    {
        var profile = RoundTripTests.Vary(SimulatedProfiles.Dfu11, tolerant, willDetach: false, 0);
        var sim = SimHarness.Create(profile);
        byte[] firmware = SimHarness.Random(2000, 3);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(SimHarness.PlainFile(firmware), new DownloadOptions { Verify = true, Leave = true });

        result.Outcome.Should().Be(DfuLeaveOutcome.Reset);
        result.Verified.Should().BeTrue();
        device.IsOpen.Should().BeFalse();
        result.Plan.Steps[^1].Kind.Should().Be(TransferStepKind.UsbReset);
        sim.Device.Firmware.ToArray().Should().Equal(firmware);
    }
}
