using System.Text;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Tests.Support;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>The behaviours the new profiles model, and how the engine copes with each without losing a block.</summary>
public class ProfileBehaviourTests
{
    [Theory]
    [InlineData(DfuPacing.Spec, DfuAddressing.PerChunk)]
    [InlineData(DfuPacing.Spec, DfuAddressing.AddressOnce)]
    [InlineData(DfuPacing.Adaptive, DfuAddressing.PerChunk)]
    [InlineData(DfuPacing.Adaptive, DfuAddressing.AddressOnce)]
    [InlineData(DfuPacing.Hold, DfuAddressing.PerChunk)]
    [InlineData(DfuPacing.Hold, DfuAddressing.AddressOnce)]
    public async Task DownloadAsync_Stm32H7AcrossBank2_ClearsEachStuckEraseTwiceAndLosesNoBlock(DfuPacing pacing, DfuAddressing addressing)
    {
        // 0x080FF000 + 136 KiB: the end of sector 7 (bank 1), all of sector 8 and the start of sector 9 (bank 2).
        var sim = SimHarness.Create("stm32h7");
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(sink));
        byte[] data = SimHarness.Random(136 * 1024, 11);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x080F_F000, data), new DownloadOptions { Verify = true, Pacing = pacing, Addressing = addressing });

        DfuQuirks.For(0x0483, 0xDF11, sim.Device.Profile.DeviceVersion).Should().HaveFlag(DfuQuirk.StuckBusyNeedsTwoClearStatus);
        result.Verified.Should().BeTrue();
        sim.Device.ReadMemory(0x080F_F000, data.Length).Should().Equal(data);
        List<TranscriptEntry> entries = [.. sim.Device.Transcript.Entries.Where(e => e.IsDfuRequest)];
        entries.Where(e => e.Detail.StartsWith("erase 0x", StringComparison.Ordinal)).Select(e => e.Detail[..16])
            .Should().Equal(["erase 0x080E0000", "erase 0x08100000", "erase 0x08120000"], "each sector is erased once");
        List<int> stuck = [.. entries.Select((e, i) => (e, i)).Where(x => x.e.Detail.Contains("erase sticks in dfuDNBUSY", StringComparison.Ordinal)).Select(x => x.i)];
        stuck.Should().HaveCount(2, "both bank-2 erases stick");
        foreach (int at in stuck)
        {
            // Up to the next request that is not GETSTATUS or CLRSTATUS: CLRSTATUS to dfuERROR/errUNKNOWN, then to dfuIDLE.
            List<TranscriptEntry> after = [.. entries.Skip(at + 1).TakeWhile(e => e.Name is "DFU_GETSTATUS" or "DFU_CLRSTATUS")];
            List<TranscriptEntry> clears = [.. after.Where(e => e.Name == "DFU_CLRSTATUS")];
            clears.Should().HaveCount(2);
            clears.Should().OnlyContain(e => e.Result == SimulatedControlStatus.Ack);
            (clears[0].State, clears[0].Status).Should().Be((DfuState.DfuError, DfuStatus.ErrUnknown));
            (clears[1].State, clears[1].Status).Should().Be((DfuState.DfuIdle, DfuStatus.Ok));
            after.Last().Should().Match<TranscriptEntry>(e => e.Name == "DFU_GETSTATUS" && e.State == DfuState.DfuIdle);
        }

        entries.Count(e => e.Name == "DFU_CLRSTATUS" && e.Detail.StartsWith("stuck", StringComparison.Ordinal)).Should().Be(2);
        entries.Should().NotContain(e => e.Result == SimulatedControlStatus.Stall, "no request is refused");
        entries.Count(e => e.Detail.Contains("data block", StringComparison.Ordinal)).Should().Be(data.Length / 1024, "no block is lost or sent twice");
        sink.Events.Count(e => e.Id == 1314 && e.Level == LogLevel.Warning).Should().Be(2);
    }

    [Theory]
    [InlineData(DfuPacing.Spec)]
    [InlineData(DfuPacing.Adaptive)]
    [InlineData(DfuPacing.Hold)]
    public async Task DownloadAsync_StuckEraseWithoutTheQuirk_FailsTypedAndNeverClearsOutsideDfuError(DfuPacing pacing)
    {
        // The H7 ROM's behaviour on a bcdDevice the quirks table does not list: the session must not guess.
        var sim = SimHarness.Create(SimulatedProfiles.Stm32H7 with { DeviceVersion = 0x0201 });
        byte[] data = SimHarness.Random(8 * 1024, 11);
        await using DfuDevice device = await sim.OpenAsync();

        DfuQuirks.For(0x0483, 0xDF11, 0x0201).Should().NotHaveFlag(DfuQuirk.StuckBusyNeedsTwoClearStatus);
        Func<Task> download = () => device.DownloadAsync(
            SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x080F_F000, data), new DownloadOptions { Pacing = pacing });

        (await download.Should().ThrowAsync<DfuProtocolException>()).Which.Message.Should().Contain("dfuDNBUSY");
        IReadOnlyList<TranscriptEntry> entries = sim.Device.Transcript.Entries;
        int stuckAt = entries.ToList().FindIndex(e => e.Detail.Contains("erase sticks in dfuDNBUSY", StringComparison.Ordinal));
        stuckAt.Should().BePositive();
        entries.Skip(stuckAt).Should().NotContain(e => e.Name == "DFU_CLRSTATUS", "CLRSTATUS is valid only in dfuERROR (DFU 1.1)");
        entries.Count(e => e.Detail.Contains("data block", StringComparison.Ordinal) && e.Detail.Contains("0x0810", StringComparison.Ordinal))
            .Should().Be(0, "nothing is written to a sector whose erase never finished");
    }

    [Fact]
    public void Stm32H7Simulator_Bank2SectorErase_StaysBusyUntilClrStatusToErrorThenToIdle()
    {
        var time = new VirtualTimeProvider();
        var device = new SimulatedDfuDevice(SimulatedProfiles.Stm32H7, new SimulatedDeviceOptions { TimeProvider = time });
        Dfu(device, DfuRequest.Dnload, [0x21, 0x00, 0x40, 0x10, 0x08], 0).Status.Should().Be(SimulatedControlStatus.Ack);
        Status(device).State.Should().Be(DfuState.DfuDnbusy);
        time.Advance(TimeSpan.FromSeconds(1));
        Status(device).State.Should().Be(DfuState.DfuDnloadIdle);
        Dfu(device, DfuRequest.Dnload, new byte[1024], 2).Status.Should().Be(SimulatedControlStatus.Ack);
        Status(device).State.Should().Be(DfuState.DfuDnbusy);
        time.Advance(TimeSpan.FromSeconds(1));
        Status(device).State.Should().Be(DfuState.DfuDnloadIdle, "a write in bank 2 does not stick");
        device.ReadMemory(0x0810_4000, 16).Should().OnlyContain(b => b == 0x00);

        Dfu(device, DfuRequest.Dnload, [0x41, 0x00, 0x00, 0x10, 0x08], 0).Status.Should().Be(SimulatedControlStatus.Ack);
        DfuStatusReport started = Status(device);
        started.State.Should().Be(DfuState.DfuDnbusy);
        time.Advance(TimeSpan.FromSeconds(10));
        for (int poll = 0; poll < 3; poll++)
        {
            DfuStatusReport stuck = Status(device);
            (stuck.State, stuck.Status, stuck.PollTimeout).Should().Be((DfuState.DfuDnbusy, DfuStatus.Ok, started.PollTimeout), "the erase never settles by itself");
        }

        device.ReadMemory(0x0810_4000, 16).Should().OnlyContain(b => b == 0xFF, "the erase itself is done");
        Dfu(device, DfuRequest.ClrStatus, [], 0).Status.Should().Be(SimulatedControlStatus.Ack);
        DfuStatusReport error = Status(device);
        (error.State, error.Status).Should().Be((DfuState.DfuError, DfuStatus.ErrUnknown));
        Dfu(device, DfuRequest.ClrStatus, [], 0).Status.Should().Be(SimulatedControlStatus.Ack);
        DfuStatusReport idle = Status(device);
        (idle.State, idle.Status).Should().Be((DfuState.DfuIdle, DfuStatus.Ok));
        Dfu(device, DfuRequest.ClrStatus, [], 0).Status.Should().Be(SimulatedControlStatus.Stall, "a third CLRSTATUS is outside dfuERROR");
    }

    [Fact]
    public async Task Recovery_Stm32H7LeftStuckInABank2Erase_IsFreedToDfuIdleBeforeTheNextOperation()
    {
        var sim = SimHarness.Create("stm32h7");
        await using DfuDevice device = await sim.OpenAsync();

        // An erase the session did not send (a tool that was killed mid-erase): the bank-2 sector sticks in dfuDNBUSY.
        Dfu(sim.Device, DfuRequest.Dnload, [0x41, 0x00, 0x00, 0x10, 0x08], 0).Status.Should().Be(SimulatedControlStatus.Ack);
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        Status(sim.Device).State.Should().Be(DfuState.DfuDnbusy);
        int before = sim.Device.Transcript.Count;

        byte[] read = await device.UploadAsync(new UploadOptions { Address = 0x0810_0000, Length = 64 });

        read.Should().HaveCount(64).And.OnlyContain(b => b == 0xFF, "the stuck erase had erased the sector");
        TranscriptEntry[] after = [.. sim.Device.Transcript.Entries.Skip(before)];
        after.Count(e => e.Name == "DFU_CLRSTATUS" && e.Result == SimulatedControlStatus.Ack).Should().Be(2, "the quirk's CLRSTATUS pair, then nothing else clears");
        after.Should().Contain(e => e.Name == "DFU_UPLOAD");
    }

    [Theory]
    [InlineData("dfu11-dishonest", DfuPacing.Spec)]
    [InlineData("dfu11-dishonest", DfuPacing.Adaptive)]
    [InlineData("dfu11-dishonest", DfuPacing.Hold)]
    [InlineData("stm32f1-app-dishonest", DfuPacing.Spec)]
    [InlineData("stm32f1-app-dishonest", DfuPacing.Adaptive)]
    [InlineData("stm32f1-app-dishonest", DfuPacing.Hold)]
    public async Task DownloadAsync_DishonestPollTimeouts_KeepsPollingAndLosesNoBlock(string profile, DfuPacing pacing)
    {
        var sim = SimHarness.Create(profile);
        SimulatedDeviceProfile p = sim.Device.Profile;
        byte[] data = SimHarness.Random(12 * 1024, 12);
        uint address = SimHarness.FlashAddress(profile);
        DfuFile file = p.IsDfuSe ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, data) : SimHarness.PlainFile(data);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true, Pacing = pacing });

        result.Verified.Should().BeTrue();
        sim.Device.ReadMemory(p.IsDfuSe ? address : 0, data.Length).Should().Equal(data);
        IReadOnlyList<TranscriptEntry> entries = sim.Device.Transcript.Entries;
        entries.Should().Contain(e => e.Detail.StartsWith("still busy", StringComparison.Ordinal), "the device answered early polls with dfuDNBUSY");
        entries.Count(e => e.Detail.Contains("data block", StringComparison.Ordinal)).Should().Be(data.Length / p.TransferSize);
    }

    [Fact]
    public async Task DownloadAsync_HonestF1_SpecPacingTakesNoMoreThanTheDeviceNeedsPlusTheBus()
    {
        var sim = SimHarness.Create("stm32f1-app-honest");
        byte[] data = SimHarness.Random(8 * 1024, 13);
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;

        await device.DownloadAsync(SimHarness.DfuSeFile(0x1209, 0xDB42, 0, 0x0800_3000, data), new DownloadOptions { Pacing = DfuPacing.Spec });

        // Honest poll timeouts are whole milliseconds just above the busy time: obeying them costs under 1 ms a wait.
        int waits = sim.Device.Transcript.Entries.Count(e => e.Detail.Contains("poll ", StringComparison.Ordinal));
        (sim.Time.Elapsed - start).Should().BeLessThanOrEqualTo(sim.Device.DeviceMinimumTime + (TimeSpan.FromMilliseconds(1) * waits));
        sim.Device.ReadMemory(0x0800_3000, data.Length).Should().Equal(data);
    }

    [Fact]
    public async Task DownloadAsync_Gd32Leave_DeviceLeavesWithoutFinalStatusAndTheDownloadSucceeds()
    {
        var sim = SimHarness.Create("gd32");
        byte[] data = SimHarness.Random(6000, 14);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(0x28E9, 0x0189, 0, 0x0800_0000, data), new DownloadOptions { Verify = true, Leave = true });

        result.Verified.Should().BeTrue();
        result.Outcome.Should().Be(DfuLeaveOutcome.Disconnected);
        sim.Device.Transcript.Entries.Should().Contain(e => e.Detail.Contains("no final status", StringComparison.Ordinal));
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
    }

    [Fact]
    public void GetDescriptor_Gd32Serial_IsUtf8WhileOtherStringsAreUtf16()
    {
        var device = new SimulatedDfuDevice(SimulatedProfiles.Gd32, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() });

        byte[] serial = StringDescriptor(device, 3);
        byte[] product = StringDescriptor(device, 2);

        serial[2..].Should().Equal(Encoding.UTF8.GetBytes("3CBJ"));
        serial[0].Should().Be((byte)(2 + 4));
        Encoding.Unicode.GetString(product, 2, product.Length - 2).Should().Be("GD32 DFU Bootloader");
    }

    [Fact]
    public void Quirks_Gd32_Utf8StringsAndLayoutSlash()
        => DfuQuirks.For(0x28E9, 0x0189, 0x1000).Should().HaveFlag(DfuQuirk.Utf8Strings).And.HaveFlag(DfuQuirk.LayoutTrailingSlash);

    [Theory]
    [InlineData("stm32f2", 0x0800_0000u, 1024 * 1024)]
    [InlineData("stm32f072", 0x0800_0000u, 128 * 1024)]
    [InlineData("stm32f373", 0x0800_0000u, 256 * 1024)]
    [InlineData("stm32h7", 0x0800_0000u, 2 * 1024 * 1024)]
    [InlineData("gd32", 0x0800_0000u, 128 * 1024)]
    public async Task OpenAsync_SeedParts_ReportTheirFlashSize(string profile, uint start, int size)
    {
        var sim = SimHarness.Create(profile);
        await using DfuDevice device = await sim.OpenAsync();

        sim.Device.ReadMemory(start + (uint)size - 1, 1).Should().Equal([0xFF]);
        FluentActions.Invoking(() => sim.Device.ReadMemory(start + (uint)size, 1)).Should().Throw<ArgumentOutOfRangeException>();
        device.IsDfuSe.Should().BeTrue();
    }

    [Fact]
    public async Task DownloadAsync_Stm32F072PipeErrorsOnEarlyPolls_FallsBackAndLosesNoBlock()
    {
        var sim = SimHarness.Create("stm32f072", new SimulatedDeviceOptions { Seed = 2 });
        byte[] data = SimHarness.Random(32 * 1024, 15);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, data), new DownloadOptions { Verify = true });

        sim.Device.Transcript.Entries.Should().Contain(e => e.Detail.Contains("early poll stalled", StringComparison.Ordinal));
        result.PacingUsed.Should().Be(DfuPacing.Spec);
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
        sim.Device.Transcript.Entries.Count(e => e.Detail.Contains("data block", StringComparison.Ordinal)).Should().Be(data.Length / 2048);
    }

    [Fact]
    public async Task DownloadAsync_DrawnTimings_SameSeedSameTimeAndNoFasterThanTypical()
    {
        TimeSpan typical = await DownloadTimeAsync(SimulatedTimingMode.Typical, 1);
        TimeSpan drawn = await DownloadTimeAsync(SimulatedTimingMode.Drawn, 1);
        TimeSpan again = await DownloadTimeAsync(SimulatedTimingMode.Drawn, 1);

        again.Should().Be(drawn);
        drawn.Should().BeGreaterThan(typical);
    }

    private static async Task<TimeSpan> DownloadTimeAsync(SimulatedTimingMode mode, int seed)
    {
        var sim = SimHarness.Create("stm32f4", new SimulatedDeviceOptions { TimingMode = mode, Seed = seed });
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        await device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, SimHarness.Random(40 * 1024, 16)), new DownloadOptions { Pacing = DfuPacing.Hold });
        return sim.Time.Elapsed - start;
    }

    private static SimulatedControlResult Dfu(SimulatedDfuDevice device, DfuRequest request, byte[] data, ushort block)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(false, UsbRequestType.Class, UsbRecipient.Interface), (byte)request, block, 0, (ushort)data.Length);
        return device.HandleControl(setup, data);
    }

    private static DfuStatusReport Status(SimulatedDfuDevice device)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(true, UsbRequestType.Class, UsbRecipient.Interface), (byte)DfuRequest.GetStatus, 0, 0, 6);
        SimulatedControlResult result = device.HandleControl(setup, []);
        result.Status.Should().Be(SimulatedControlStatus.Ack);
        return DfuStatusReport.Parse(result.Data.Span);
    }

    private static byte[] StringDescriptor(SimulatedDfuDevice device, byte index)
    {
        var setup = new UsbSetupPacket(
            UsbSetupPacket.MakeRequestType(true, UsbRequestType.Standard, UsbRecipient.Device), 6, (ushort)((3 << 8) | index), 0x0409, 255);
        SimulatedControlResult result = device.HandleControl(setup, []);
        result.Status.Should().Be(SimulatedControlStatus.Ack);
        return result.Data.ToArray();
    }
}
