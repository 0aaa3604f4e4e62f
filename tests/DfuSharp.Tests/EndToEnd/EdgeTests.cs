using DfuSharp.Simulation;
using DfuSharp.Tests.Support;
using DfuSharp.Usb;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>Edges of a session: a device that never answers fails fast.</summary>
public class EdgeTests
{
    [Theory]
    [InlineData("stm32f4")]
    [InlineData("dfu11")]
    public async Task DownloadAsync_FirstGetStatusNeverAnswered_FailsAfterTheNormalRequestTimeout(string profile)
    {
        var sim = SimHarness.Create(profile, SimulatedFault.GetStatusNeverAnswers());
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan before = sim.Time.Elapsed;

        var error = await FluentActions.Awaiting(() => device.DownloadAsync(
                device.IsDfuSe ? SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, new byte[16]) : SimHarness.PlainFile(new byte[16])))
            .Should().ThrowAsync<UsbTransportException>();

        error.Which.Error.Should().Be(UsbError.Timeout);
        (sim.Time.Elapsed - before).Should().Be(sim.Options.RequestTimeout, "the session start is not an erase: it gets the normal timeout, not the slow one");
        sim.Device.DataBlocksReceived.Should().Be(0);
    }

    [Fact]
    public async Task MassEraseAsync_CancelledAfterTheCommandWasSent_WaitsAndSaysTheEraseCompleted()
    {
        var sim = SimHarness.Create(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [1, 2, 3, 4])] });
        using var cancellation = new CancellationTokenSource();
        var provider = new CancellingProvider(sim.Bus, (setup, data) => data.Length == 1 && data.Span[0] == 0x41, cancellation);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(provider, null, sim.Options);

        var error = await FluentActions.Awaiting(() => device.DfuSe.MassEraseAsync(cancellationToken: cancellation.Token))
            .Should().ThrowAsync<DfuEraseCanceledException>();

        error.Which.Completed.Should().BeTrue();
        error.Which.CancellationToken.Should().Be(cancellation.Token);
        sim.Device.ReadMemory(0x0800_0000, 4).Should().OnlyContain(b => b == 0xFF, "the device finished the erase it had received");
        sim.Device.State.Should().Be(DfuSharp.Protocol.DfuState.DfuIdle);
    }

    [Fact]
    public async Task ExecuteAsync_PlanMadeInRuntimeMode_DetachesThenRunsItsSteps()
    {
        var sim = SimHarness.Create("runtime");
        await using DfuDevice device = await sim.OpenAsync();
        byte[] firmware = SimHarness.Random(3000, 12);
        DfuSharp.Planning.TransferPlan plan = device.PlanDownload(SimHarness.PlainFile(firmware), new DownloadOptions { Verify = true });

        DownloadResult result = await device.ExecuteAsync(plan);

        plan.Steps[0].Kind.Should().Be(DfuSharp.Planning.TransferStepKind.Detach);
        result.Verified.Should().BeTrue();
        device.Mode.Should().Be(DfuMode.Dfu);
    }
}
