using DfuSharp.Formats;
using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

public class CancellationTests
{
    private static readonly byte[] Data = SimHarness.Random(10 * 1024, 5);

    public static TheoryData<string, DfuPhase> DownloadPhases => new()
    {
        { "stm32f4", DfuPhase.Erase },
        { "stm32f4", DfuPhase.Download },
        { "stm32f4", DfuPhase.Verify },
        { "stm32f4", DfuPhase.Upload },
        { "stm32f4", DfuPhase.Leave },
        { "stm32f1-app", DfuPhase.Erase },
        { "stm32f1-app", DfuPhase.Download },
        { "stm32f1-app", DfuPhase.Verify },
        { "dfu11", DfuPhase.Download },
        { "dfu11", DfuPhase.Manifest },
        { "dfu11", DfuPhase.Verify },
        { "dfu11", DfuPhase.Upload },
    };

    // A plain DFU device starts with firmware so that an upload has more than one block to cancel.
    private static SimHarness WithFirmware(string profile)
        => profile == "dfu11"
            ? SimHarness.Create(profile, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0, [.. Data])] })
            : SimHarness.Create(profile);

    [Theory]
    [MemberData(nameof(DownloadPhases))]
    public async Task DownloadAsync_CancelledInPhase_ThrowsAndDeviceInIdle(string profile, DfuPhase phase)
    {
        var sim = WithFirmware(profile);
        uint address = profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u;
        DfuFile file = sim.Device.Profile.IsDfuSe
            ? SimHarness.DfuSeFile(sim.Device.Profile.VendorId, sim.Device.Profile.ProductId, 0, address, Data)
            : SimHarness.PlainFile(Data);
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource();
        var seen = new List<DfuProgress>();
        var progress = new RoundTripTests.SyncProgress(p =>
        {
            seen.Add(p);
            if (p.Phase == phase)
            {
                cts.Cancel();
            }
        });
        var options = new DownloadOptions
        {
            Verify = true,
            Leave = phase == DfuPhase.Leave,
            Backup = phase == DfuPhase.Upload ? (_, _) => ValueTask.CompletedTask : null,
        };

        await FluentActions.Awaiting(() => device.DownloadAsync(file, options, progress, cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        seen.Should().Contain(p => p.Phase == phase);
        sim.Device.IsConnected.Should().BeTrue();
        sim.Device.State.Should().Be(DfuState.DfuIdle);
        sim.Device.Transcript.Entries.Where(e => e.IsDfuRequest).Select(e => e.Name).Should().Contain("DFU_ABORT");
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("dfu11")]
    public async Task UploadAsync_CancelledAfterFirstBlock_ThrowsAndDeviceInIdle(string profile)
    {
        var sim = WithFirmware(profile);
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource();

        await FluentActions.Awaiting(() => device.UploadAsync(new UploadOptions { Length = 8192 }, new RoundTripTests.SyncProgress(_ => cts.Cancel()), cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task EraseAsync_CancelledAfterFirstSector_ThrowsAndDeviceInIdle()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource();

        await FluentActions.Awaiting(() => device.DfuSe.EraseAsync(0x0800_0000, 0x1_0000, null, new RoundTripTests.SyncProgress(_ => cts.Cancel()), cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }

    [Fact]
    public async Task DownloadAsync_CancelledDuringDetach_ThrowsAndDeviceStillInRuntimeMode()
    {
        var sim = SimHarness.Create("runtime");
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource();

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.PlainFile(Data), null, new RoundTripTests.SyncProgress(_ => cts.Cancel()), cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        sim.Device.State.Should().Be(DfuState.AppIdle);
        sim.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task DownloadAsync_CancelledBeforeStart_NothingSent()
    {
        var sim = SimHarness.Create("dfu11");
        await using DfuDevice device = await sim.OpenAsync();
        int before = sim.Device.Transcript.Count;

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.PlainFile(Data), null, null, new CancellationToken(true)))
            .Should().ThrowAsync<OperationCanceledException>();

        sim.Device.DataBlocksReceived.Should().Be(0);
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }
}

public class MassEraseCancellationTests
{
    [Fact]
    public async Task DownloadAsync_CancelledAfterMassErase_EndsIdleWithoutWriting()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource();
        var file = SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, new byte[4096]);
        var progress = new RoundTripTests.SyncProgress(p =>
        {
            if (p.Phase == DfuPhase.Erase)
            {
                cts.Cancel();
            }
        });

        await FluentActions.Awaiting(() => device.DownloadAsync(file, new DownloadOptions { Erase = DfuSharp.Planning.DfuSeEraseMode.Mass }, progress, cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        sim.Device.State.Should().Be(DfuState.DfuIdle);
        sim.Device.DataBlocksReceived.Should().Be(0);
    }
}

public class EraseInProgressCancellationTests
{
    [Fact]
    public async Task MassEraseAsync_CancelledWhileErasing_WaitsOutEraseAndEndsIdle()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), sim.Time);

        await FluentActions.Awaiting(() => device.DfuSe.MassEraseAsync(null, null, cts.Token)).Should().ThrowAsync<OperationCanceledException>();

        sim.Time.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(8));
        sim.Device.State.Should().Be(DfuState.DfuIdle);
    }
}
