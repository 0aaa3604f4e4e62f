using DfuSharp.Simulation;
using DfuSharp.Tests.EndToEnd;
using DfuSharp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace DfuSharp.Tests;

public class QuirkTests
{
    [Theory]
    [InlineData(0x0483, 0xDF11, 0x2200, DfuQuirk.MassEraseOutlastsPollTimeout | DfuQuirk.StartsInDfuError | DfuQuirk.DfuModeProtocolZero | DfuQuirk.HoldsStatusWhileBusy | DfuQuirk.AddressFromBlockNumber)]
    [InlineData(0x0483, 0xDF11, 0x0200, DfuQuirk.StartsInDfuError | DfuQuirk.DfuModeProtocolZero | DfuQuirk.AddressFromBlockNumber | DfuQuirk.StuckBusyNeedsTwoClearStatus)]
    [InlineData(0x0483, 0xDF11, 0x1100, DfuQuirk.StartsInDfuError | DfuQuirk.DfuModeProtocolZero | DfuQuirk.AddressFromBlockNumber)]
    [InlineData(0x28E9, 0x0189, 0x1000, DfuQuirk.Utf8Strings | DfuQuirk.LayoutTrailingSlash)]
    [InlineData(0x1209, 0x0001, 0x0100, DfuQuirk.None)]
    public void For_KnownAndUnknownDevices_ReturnsTheirQuirks(int vid, int pid, int bcd, DfuQuirk expected)
        => DfuQuirks.For((ushort)vid, (ushort)pid, (ushort)bcd).Should().Be(expected);

    [Fact]
    public void Entries_EachCitesItsSource()
        => DfuQuirks.Entries.Should().OnlyContain(e => e.Source.Length > 10 && e.Device.Length > 0 && e.Quirks != DfuQuirk.None);

    [Fact]
    public async Task MassEraseAsync_Stm32F405_QuirkLoggedWithTypedFields()
    {
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        await device.DfuSe.MassEraseAsync();

        var quirk = sink.Events.Should().ContainSingle(e => e.Id == DfuEventId.QuirkMassErase).Subject;
        quirk.Level.Should().Be(LogLevel.Warning);
        quirk.Fields["VendorId"].Should().Be((ushort)0x0483);
        quirk.Fields["DeviceVersion"].Should().Be((ushort)0x2200);
        quirk.Fields["TimeoutSeconds"].Should().Be(45.0);
    }

    [Fact]
    public async Task DownloadAsync_StRomLeftInDfuError_QuirkLoggedWithTheStatus()
    {
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        var sim = SimHarness.Create("stm32f4", SimulatedFault.StallAtBlock(1));
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, new byte[4096])))
            .Should().ThrowAsync<DfuException>();

        // The stall left the ROM in dfuERROR; the recovery's session start finds it there, as dfu-util's log shows.
        sink.Events.Should().Contain(e => e.Id == DfuEventId.QuirkStartedInError && Equals(e.Fields["Status"], DfuSharp.Protocol.DfuStatus.ErrStalledPkt));
    }

    [Fact]
    public async Task DownloadAsync_Finished_InformationLogShowsTheSummary()
    {
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        DownloadResult result = await device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, new byte[100]), new DownloadOptions { Verify = true });

        sink.Events.Should().Contain(e => e.Id == DfuEventId.OperationFinished
            && e.Message.Contains("DfuSe plan: 100 bytes in 1 block(s) of up to 2048 to alt 0 0x08000000-0x08000063, 1 erase(s), verify 100 bytes, pacing adaptive (starts in hold), addressing address-once, stay in DFU mode; verified"));
        result.ToString().Should().NotContain("ImmutableArray");
        device.ToString().Should().Contain("alt 0 (Dfu mode, DfuSe)");
    }
}
