using DfuSharp.Tests.EndToEnd;
using DfuSharp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace DfuSharp.Tests;

public class LoggingTests
{
    [Fact]
    public async Task DownloadAsync_WithLoggerFactory_EventsInTheirRangesAndLevels()
    {
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        var sim = SimHarness.Create("dfu11");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        await device.DownloadAsync(SimHarness.PlainFile(new byte[2000]));

        sink.Events.Should().Contain(e => e.Id == DfuEventId.SetupPacket && e.Level == LogLevel.Trace);
        sink.Events.Should().Contain(e => e.Id == DfuEventId.StatusBytes && e.Level == LogLevel.Trace);
        sink.Events.Should().Contain(e => e.Id == DfuEventId.PollWait && e.Level == LogLevel.Debug && e.Message.Contains("dfuDNBUSY; waiting 6 ms"));
        sink.Events.Should().Contain(e => e.Id == DfuEventId.StateChanged && e.Level == LogLevel.Debug);
        sink.Events.Should().Contain(e => e.Id == DfuEventId.OperationStarted && e.Level == LogLevel.Information);
        sink.Events.Should().Contain(e => e.Id == DfuEventId.OperationFinished && e.Level == LogLevel.Information);
        sink.Events.Where(e => e.Level == LogLevel.Warning).Should().BeEmpty();
        sink.Events.Should().OnlyContain(e => e.Id >= 1000 && e.Id < 1400);
    }

    [Fact]
    public async Task DownloadAsync_DeviceError_RecoveryLoggedAsWarning()
    {
        var sink = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        var sim = SimHarness.Create("dfu11", DfuSharp.Simulation.SimulatedFault.StallAtBlock(0));
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(sim.Bus, null, sim.Options with { LoggerFactory = factory });

        await FluentActions.Awaiting(() => device.DownloadAsync(SimHarness.PlainFile(new byte[2000]))).Should().ThrowAsync<DfuException>();

        sink.Events.Should().Contain(e => e.Id == DfuEventId.Recovery && e.Level == LogLevel.Warning);
    }
}
