using DfuSharp.Formats;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>RDP level 2 (0xCC) is permanent on STM32F2/F4/F7 (RM0090 §3.7.3), and the simulator models it so.</summary>
public class ReadProtectionLevel2Tests
{
    private static readonly byte[] Level2 = [0xEC, 0xCC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private static DfuFile OptionBytes(byte[] data) => new()
    {
        DfuSe = new DfuSeImage([new DfuSeTarget(1, "Option Bytes", [new DfuSeElement(0x1FFF_C000, data)])]),
    };

    [Fact]
    public async Task PlanDownload_Level2WithOptionBytesConsentOnly_RefusedAsIrreversible()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();

        FluentActions.Invoking(() => device.PlanDownload(OptionBytes(Level2), new DownloadOptions { AllowOptionBytes = true, Force = true }))
            .Should().Throw<DfuConsentRequiredException>().Where(e => e.Consent == DfuConsent.Irreversible && e.Address == 0x1FFF_C001u);
    }

    [Fact]
    public async Task ReadUnprotectAsync_AfterLevel2_FailsAndTheFlashStays()
    {
        var sim = SimHarness.Create("stm32f4");
        await using (DfuDevice device = await sim.OpenAsync())
        {
            await device.DownloadAsync(OptionBytes(Level2), new DownloadOptions { AllowOptionBytes = true, AllowIrreversible = true });
        }

        await using DfuDevice again = await sim.OpenAsync();
        await FluentActions.Awaiting(() => again.DfuSe.ReadUnprotectAsync()).Should().ThrowAsync<DfuStatusException>().WithMessage("*level 2*");
        byte[] level0 = [.. Level2];
        level0[1] = 0xAA;
        await FluentActions.Awaiting(() => again.DownloadAsync(OptionBytes(level0), new DownloadOptions { AllowOptionBytes = true }))
            .Should().ThrowAsync<DfuStatusException>();
        sim.Device.ReadMemory(0x1FFF_C001, 1).Should().Equal(0xCC);
    }
}
