using System.Globalization;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

public class PacingTests
{
    public static TheoryData<string, DfuPacing, DfuAddressing> Modes()
    {
        var data = new TheoryData<string, DfuPacing, DfuAddressing>();
        foreach (string profile in SimHarness.DfuModeProfiles())
        {
            foreach (DfuPacing pacing in Enum.GetValues<DfuPacing>())
            {
                foreach (DfuAddressing addressing in Enum.GetValues<DfuAddressing>())
                {
                    data.Add(profile, pacing, addressing);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DownloadAsync_EveryPacingAndAddressing_VerifiesAndLeavesWithEveryByteWritten(string profile, DfuPacing pacing, DfuAddressing addressing)
    {
        var sim = SimHarness.Create(profile, new SimulatedDeviceOptions { Seed = 7 });
        SimulatedDeviceProfile p = sim.Device.Profile;
        byte[] data = SimHarness.Random(20_000, 3);
        uint address = SimHarness.FlashAddress(profile);
        DfuFile file = p.IsDfuSe ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, data) : SimHarness.PlainFile(data);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true, Leave = true, Pacing = pacing, Addressing = addressing });

        result.Verified.Should().BeTrue();
        result.Outcome.Should().NotBe(DfuLeaveOutcome.StayedInDfuMode);
        int blocks = (data.Length + p.TransferSize - 1) / p.TransferSize;
        sim.Device.Transcript.Entries.Count(e => e.Detail.Contains("data block", StringComparison.Ordinal)).Should().Be(blocks, "no block is lost or sent twice");
        result.Plan.Pacing.Should().Be(pacing);
        result.Plan.Addressing.Should().Be(p.IsDfuSe ? addressing : DfuAddressing.PerChunk);
        result.ControlTransfers.Should().BePositive();
        sim.Device.ReadMemory(p.IsDfuSe ? address : 0, data.Length).Should().Equal(data);
    }

    [Theory]
    [InlineData(DfuPacing.Adaptive)]
    [InlineData(DfuPacing.Hold)]
    public async Task DownloadAsync_Stm32F4WithoutSpecWaits_TakesTheDeviceMinimum(DfuPacing pacing)
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        TimeSpan minimumAtStart = sim.Device.DeviceMinimumTime;

        DownloadResult result = await device.DownloadAsync(Stm32F4File(64 * 1024), new DownloadOptions { Verify = true, Pacing = pacing });

        // The ROM holds GETSTATUS while busy (fwupd#2696 log): the host never waits longer than the flash and the bus need.
        (sim.Time.Elapsed - start).Should().Be(sim.Device.DeviceMinimumTime - minimumAtStart);
        result.Elapsed.Should().Be(sim.Time.Elapsed - start);
        result.PacingUsed.Should().Be(pacing);
    }

    [Fact]
    public async Task DownloadAsync_Stm32F4StartingInErrFirmware_ClearsAndTakesTheDeviceMinimum()
    {
        var sim = SimHarness.Create("stm32f4", new SimulatedDeviceOptions { StartsInFirmwareError = true });
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        TimeSpan minimumAtStart = sim.Device.DeviceMinimumTime;

        DownloadResult result = await device.DownloadAsync(Stm32F4File(8192), new DownloadOptions { Verify = true });

        result.Verified.Should().BeTrue();
        sim.Device.Transcript.Entries.Should().Contain(e => e.Name == "DFU_CLRSTATUS");
        (sim.Time.Elapsed - start).Should().Be(sim.Device.DeviceMinimumTime - minimumAtStart);
    }

    [Fact]
    public async Task DownloadAsync_Stm32F4Defaults_AtLeastFiveTimesFasterThanSpecPerChunk()
    {
        // Spec pacing with a pointer per chunk is what dfu-util does; the defaults are adaptive and, on ST's ROM, address-once.
        TimeSpan spec = await DownloadTimeAsync(new DownloadOptions { Pacing = DfuPacing.Spec, Addressing = DfuAddressing.PerChunk });
        TimeSpan adaptive = await DownloadTimeAsync(new DownloadOptions());

        adaptive.Should().BeLessThan(spec / 5);
    }

    [Fact]
    public async Task DownloadAsync_UnknownDeviceAdaptive_LearnsAndWaitsLessThanSpec()
    {
        // dfu11 reports 6 ms per 1 KiB block and is busy 5.12 ms; it is not in the quirks table, so pacing starts at spec.
        var sim = SimHarness.Create("dfu11");
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        TimeSpan minimumAtStart = sim.Device.DeviceMinimumTime;

        DownloadResult result = await device.DownloadAsync(SimHarness.PlainFile(SimHarness.Random(100 * 1024, 4)), new DownloadOptions { Pacing = DfuPacing.Adaptive });

        result.Plan.StartsInHold.Should().BeFalse();
        TimeSpan adaptive = sim.Time.Elapsed - start;
        var spec = SimHarness.Create("dfu11");
        await using DfuDevice specDevice = await spec.OpenAsync();
        TimeSpan specStart = spec.Time.Elapsed;
        await specDevice.DownloadAsync(SimHarness.PlainFile(SimHarness.Random(100 * 1024, 4)), new DownloadOptions { Pacing = DfuPacing.Spec });
        adaptive.Should().BeLessThan(spec.Time.Elapsed - specStart);
        adaptive.Should().BeGreaterThanOrEqualTo(sim.Device.DeviceMinimumTime - minimumAtStart);
    }

    [Fact]
    public async Task DownloadAsync_Stm32L4StallsEarlyPolls_FallsBackToSpecAndLosesNoBlock()
    {
        var sim = SimHarness.Create("stm32l4", new SimulatedDeviceOptions { Seed = 1 });
        byte[] data = SimHarness.Random(64 * 1024, 5);
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, data), new DownloadOptions { Verify = true });

        sim.Device.Transcript.Entries.Should().Contain(e => e.Detail.Contains("early poll stalled"));
        result.Plan.StartsInHold.Should().BeTrue();
        result.PacingUsed.Should().Be(DfuPacing.Spec);
        result.Verified.Should().BeTrue();
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
        sim.Device.Transcript.Entries.Count(e => e.Detail.Contains("data block")).Should().Be(data.Length / 2048);
    }

    public static TheoryData<string, DfuPacing, DfuAddressing> GoldenModes()
    {
        var data = new TheoryData<string, DfuPacing, DfuAddressing>();
        foreach (string profile in new[] { "stm32f4", "dfu11", "stm32h7" })
        {
            data.Add(profile, DfuPacing.Spec, DfuAddressing.PerChunk);
            data.Add(profile, DfuPacing.Adaptive, DfuAddressing.PerChunk);
            data.Add(profile, DfuPacing.Hold, DfuAddressing.AddressOnce);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenModes))]
    public async Task DownloadAsync_EachMode_MatchesGoldenTimedTranscript(string profile, DfuPacing pacing, DfuAddressing addressing)
    {
        // On the H7 the 5000 bytes cross into bank 2 at 0x08100000, where its ROM sticks in dfuDNBUSY after the sector erase.
        var sim = SimHarness.Create(profile);
        SimulatedDeviceProfile p = sim.Device.Profile;
        byte[] data = SimHarness.Random(5000, 6);
        DfuFile file = p.IsDfuSe ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, profile == "stm32h7" ? 0x080F_F800u : 0x0800_0000u, data) : SimHarness.PlainFile(data);
        await using (DfuDevice device = await sim.OpenAsync())
        {
            await device.DownloadAsync(file, new DownloadOptions { Leave = p.IsDfuSe, Pacing = pacing, Addressing = addressing });
        }

        string actual = string.Concat(sim.Device.Transcript.Entries.Select(e =>
            string.Create(CultureInfo.InvariantCulture, $"{e.Time.TotalMilliseconds,10:0.000} ms  {e}\n")));
        string name = $"pacing-{profile}-{pacing.ToString().ToLowerInvariant()}-{addressing.ToString().ToLowerInvariant()}.txt";
        string source = Path.Combine(SourceDirectory(), "TestData", "Transcripts", name);
        if (Environment.GetEnvironmentVariable("DFUSHARP_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(source, actual);
        }

        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "Transcripts", name);
        File.Exists(path).Should().BeTrue($"the golden transcript {path} must exist (create it with DFUSHARP_UPDATE_GOLDEN=1)");
        actual.Should().Be(await File.ReadAllTextAsync(path));
    }

    private static DfuFile Stm32F4File(int length) => SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_0000, SimHarness.Random(length, 6));

    private static async Task<TimeSpan> DownloadTimeAsync(DownloadOptions options)
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        TimeSpan start = sim.Time.Elapsed;
        await device.DownloadAsync(Stm32F4File(64 * 1024), options);
        return sim.Time.Elapsed - start;
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetDirectoryName(Path.GetDirectoryName(file)!)!;
}
