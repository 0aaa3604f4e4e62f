using DfuSharp.Formats;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.EndToEnd;

public class FaultTests
{
    private static readonly byte[] Data = SimHarness.Random(8 * 1024, 42);

    public static TheoryData<string> Profiles => new() { "stm32f4", "dfu11" };

    public static TheoryData<string, DfuStatus> StatusCases()
    {
        var data = new TheoryData<string, DfuStatus>();
        foreach (string profile in new[] { "stm32f4", "dfu11" })
        {
            foreach (DfuStatus status in new[] { DfuStatus.ErrWrite, DfuStatus.ErrVerify, DfuStatus.ErrTarget, DfuStatus.ErrVendor, DfuStatus.ErrCheckErased, DfuStatus.ErrProg, DfuStatus.ErrAddress })
            {
                data.Add(profile, status);
            }
        }

        return data;
    }

    private static DfuFile FileFor(SimHarness sim)
        => sim.Device.Profile.IsDfuSe
            ? SimHarness.DfuSeFile(sim.Device.Profile.VendorId, sim.Device.Profile.ProductId, 0, 0x0800_0000, Data)
            : SimHarness.PlainFile(Data);

    private static async Task<(SimHarness Sim, Exception? Error, DownloadResult? Result)> DownloadWithAsync(
        string profile, DownloadOptions? options, params SimulatedFault[] faults)
    {
        var sim = SimHarness.Create(profile, faults);
        await using DfuDevice device = await sim.OpenAsync();
        try
        {
            DownloadResult result = await device.DownloadAsync(FileFor(sim), options ?? new DownloadOptions { Verify = true });
            return (sim, null, result);
        }
        catch (Exception ex) when (ex is DfuException or OperationCanceledException)
        {
            return (sim, ex, null);
        }
    }

    [Theory]
    [MemberData(nameof(StatusCases))]
    public async Task DownloadAsync_StatusErrorAtBlock3_StatusExceptionWithBlockTextAndDeviceBackInIdle(string profile, DfuStatus status)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.StatusAtBlock(3, status, "flash says no"));

        var ex = error.Should().BeOfType<DfuStatusException>().Subject;
        ex.Status.Should().Be(status);
        ex.Request.Should().Be(DfuRequest.Dnload);
        ex.StatusText.Should().Be("flash says no");
        ex.Message.Should().Contain(status.ToSpecName());
        if (sim.Device.Profile.IsDfuSe)
        {
            ex.Address.Should().Be(0x0800_0000u + (3u * sim.Device.Profile.TransferSize));

            // ST's ROM is written address-once (blocks 2, 3, 4, 5…; DfuQuirk.AddressFromBlockNumber); others per chunk.
            ex.Block.Should().Be(sim.Device.Profile.VendorId == 0x0483 ? 5 : 2);
        }
        else
        {
            ex.Block.Should().Be(3);
        }

        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_StallAtBlock2_TransportStallAndDeviceBackInIdle(string profile)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.StallAtBlock(2));

        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.Stall);
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task DownloadAsync_DfuSeStallAtBlock2_TransportErrorNamesTheAddressAndKeepsTheRequest()
    {
        (_, Exception? error, _) = await DownloadWithAsync("stm32f4", null, SimulatedFault.StallAtBlock(2));

        var ex = error.Should().BeOfType<UsbTransportException>().Subject;
        ex.Error.Should().Be(UsbError.Stall);
        ex.Request.Should().Be(DfuRequest.Dnload);
        ex.Value.Should().Be((ushort)4);
        ex.Length.Should().Be(2048);
        ex.Message.Should().Contain("DfuSe address 0x08001000");
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_StalledFirstGetStatus_TransportStallWithoutWriting(string profile)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.StallRequest(DfuRequest.GetStatus, 1));

        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.Stall);
        sim.Device.DataBlocksReceived.Should().Be(0);
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_GetStatusNeverAnswers_TimeoutWithoutHang(string profile)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.GetStatusNeverAnswers(afterDataBlock: 1));

        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.Timeout);
        sim.Time.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(2));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_DisconnectAtBlock2_NoDeviceError(string profile)
    {
        (_, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.DisconnectAtBlock(2));
        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.NoDevice);
    }

    [Fact]
    public async Task DownloadAsync_DisconnectDuringErase_NoDeviceError()
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync("stm32f4", null, SimulatedFault.DisconnectDuringErase());
        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.NoDevice);
        sim.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task DownloadAsync_DfuSeDisconnectAtLeave_SucceedsAsDisconnected()
    {
        (SimHarness sim, Exception? error, DownloadResult? result) = await DownloadWithAsync(
            "stm32f4", new DownloadOptions { Verify = true, Leave = true }, SimulatedFault.DisconnectAtLeave());

        error.Should().BeNull();
        result!.Outcome.Should().Be(DfuLeaveOutcome.Disconnected);
        result.Verified.Should().BeTrue();
        sim.Device.ReadMemory(0x0800_0000, Data.Length).Should().Equal(Data);
    }

    [Fact]
    public async Task DownloadAsync_TolerantDeviceDisconnectsAtManifestation_FailsInsteadOfClaimingSuccess()
    {
        (_, Exception? error, _) = await DownloadWithAsync("dfu11", null, SimulatedFault.DisconnectAtLeave());
        error.Should().BeOfType<UsbTransportException>().Which.Error.Should().Be(UsbError.NoDevice);
    }

    [Fact]
    public async Task DownloadAsync_NonTolerantDeviceDisconnectsBeforeManifestReported_Fails()
    {
        var profile = SimulatedProfiles.Dfu11 with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload };
        var sim = SimHarness.Create(profile, new SimulatedDeviceOptions { Faults = SimulatedFaults.Of(SimulatedFault.DisconnectAtLeave()) });
        await using DfuDevice device = await sim.OpenAsync();

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.PlainFile(Data)))
            .Should().ThrowAsync<UsbTransportException>();
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_WrongStateAfterBlock1_ProtocolException(string profile)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.WrongState(DfuState.DfuUploadIdle, afterDataBlock: 1));

        error.Should().BeOfType<DfuProtocolException>().Which.Message.Should().Contain("dfuUPLOAD-IDLE");
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_ZeroPollTimeout_StillSucceeds(string profile)
    {
        (SimHarness sim, Exception? error, DownloadResult? result) = await DownloadWithAsync(profile, null, SimulatedFault.PollTimeoutOf(0));

        error.Should().BeNull();
        result!.Verified.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_HugePollTimeout_ProtocolExceptionWithoutWaitingHours(string profile)
    {
        (SimHarness sim, Exception? error, _) = await DownloadWithAsync(profile, null, SimulatedFault.PollTimeoutOf(DfuStatusReport.MaxPollTimeout));

        error.Should().BeOfType<DfuProtocolException>().Which.Message.Should().Contain("16777215 ms");
        sim.Time.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(10));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task DownloadAsync_SmallerRealTransferSize_StallThenSucceedsWithOverride(string profile)
    {
        var sim = SimHarness.Create(profile, SimulatedFault.RealTransferSize(256));
        await using (DfuDevice device = await sim.OpenAsync())
        {
            (await FluentActions.Awaiting(() => device.DownloadAsync(FileFor(sim))).Should().ThrowAsync<UsbTransportException>())
                .Which.Error.Should().Be(UsbError.Stall);
            sim.Device.State.Should().Be(DfuState.DfuIdle);
        }

        await using DfuDevice again = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { TransferSize = 256 });
        DownloadResult result = await again.DownloadAsync(FileFor(sim), new DownloadOptions { Verify = true });
        result.Verified.Should().BeTrue();
    }

    [Theory]
    [InlineData("stm32f4", 0)]
    [InlineData("stm32f4", 2)]
    [InlineData("stm32f4", 3)]
    [InlineData("stm32f1-app", 0)]
    [InlineData("stm32f1-app", 5)]
    [InlineData("dfu11", 0)]
    [InlineData("dfu11", 4)]
    [InlineData("dfu11", 7)]
    public async Task DownloadAsync_SilentlyCorruptingDevice_VerifyCatchesIt(string profile, int block)
    {
        var sim = SimHarness.Create(profile, SimulatedFault.CorruptWrite(block));
        await using DfuDevice device = await sim.OpenAsync();
        uint address = profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u;
        DfuFile file = sim.Device.Profile.IsDfuSe
            ? SimHarness.DfuSeFile(sim.Device.Profile.VendorId, sim.Device.Profile.ProductId, 0, address, Data)
            : SimHarness.PlainFile(Data);

        var ex = (await FluentActions.Awaiting(() => device.DownloadAsync(file, new DownloadOptions { Verify = true }))
            .Should().ThrowAsync<DfuVerificationException>()).Which;

        uint blockStart = (sim.Device.Profile.IsDfuSe ? address : 0) + (uint)(block * sim.Device.Profile.TransferSize);
        ex.Address.Should().BeInRange(blockStart, blockStart + sim.Device.Profile.TransferSize - 1);
        ex.Actual.Should().NotBe(ex.Expected);
    }

    [Fact]
    public async Task DownloadAsync_RandomCorruptBlock_VerifyCatchesItEveryTime()
    {
        var random = new Random(20261121);
        string[] profiles = ["stm32f4", "stm32f1-app", "dfu11"];
        for (int round = 0; round < 30; round++)
        {
            string profile = profiles[random.Next(profiles.Length)];
            SimulatedDeviceProfile p = SimulatedProfiles.Get(profile);
            int length = random.Next(1, 12 * 1024);
            int blocks = (length + p.TransferSize - 1) / p.TransferSize;
            int corrupt = random.Next(blocks);
            var sim = SimHarness.Create(profile, SimulatedFault.CorruptWrite(corrupt));
            byte[] data = SimHarness.Random(length, round);
            uint address = profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u;
            DfuFile file = p.IsDfuSe ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, data) : SimHarness.PlainFile(data);
            await using DfuDevice device = await sim.OpenAsync();

            await FluentActions.Awaiting(() => device.DownloadAsync(file, new DownloadOptions { Verify = true }))
                .Should().ThrowAsync<DfuVerificationException>($"round {round}: {profile}, {length} bytes, block {corrupt} corrupted");
        }
    }

    [Fact]
    public async Task DownloadAsync_UnerasedFlashOnF1WithoutErase_VerifyCatchesSilentCorruption()
    {
        var sim = SimHarness.Create("stm32f1-app");
        DfuFile file = SimHarness.DfuSeFile(0x1209, 0xDB42, 0, 0x0800_3000, Data);
        await using DfuDevice device = await sim.OpenAsync();
        await device.DownloadAsync(file);
        byte[] other = SimHarness.Random(Data.Length, 7);

        await FluentActions.Awaiting(() => device.DownloadAsync(
                SimHarness.DfuSeFile(0x1209, 0xDB42, 0, 0x0800_3000, other), new DownloadOptions { Verify = true, Erase = DfuSharp.Planning.DfuSeEraseMode.None }))
            .Should().ThrowAsync<DfuVerificationException>();
    }

    [Fact]
    public async Task DownloadAsync_IntoF1BootloaderArea_RefusedBeforeAnythingIsSent()
    {
        var sim = SimHarness.Create("stm32f1-app");
        await using DfuDevice device = await sim.OpenAsync();
        int before = sim.Device.Transcript.Count;

        var ex = (await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.DfuSeFile(0x1209, 0xDB42, 0, 0x0800_2000, Data)))
            .Should().ThrowAsync<DfuFileMismatchException>()).Which;

        ex.Address.Should().Be(0x0800_2000u);
        ex.Message.Should().Contain("0x08002000");
        sim.Device.Transcript.Count.Should().Be(before);
    }

    [Fact]
    public async Task DownloadAsync_WriteProtectedSector_StatusErrorNamingAddress()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { WriteProtectedSectors = [0x0800_4000] });
        await using DfuDevice device = await sim.OpenAsync();

        var ex = (await FluentActions.Awaiting(() => device.DownloadAsync(
                SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_3000, Data)))
            .Should().ThrowAsync<DfuStatusException>()).Which;

        ex.Address.Should().Be(0x0800_4000u);
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }
}
