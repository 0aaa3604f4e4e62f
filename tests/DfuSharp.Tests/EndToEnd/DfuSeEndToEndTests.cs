using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

public class DfuSeEndToEndTests
{
    [Fact]
    public async Task DownloadAsync_Stm32F4WithVerifyAndLeave_FlashHoldsFileAndDeviceLeft()
    {
        var sim = SimHarness.Create("stm32f4");
        byte[] data = SimHarness.Random(40_000, 1);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, data), new DownloadOptions { Verify = true, Leave = true });

        result.Verified.Should().BeTrue();
        result.Outcome.Should().BeOneOf(DfuLeaveOutcome.Left, DfuLeaveOutcome.Disconnected);
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
    }
}
