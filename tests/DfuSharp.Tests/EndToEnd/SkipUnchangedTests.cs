using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>Skip-unchanged on simulated boards, in virtual time: the check pass, the transformed plan, and what the
/// device was asked to erase and write.</summary>
public class SkipUnchangedTests
{
    // Profile, image address and length: on the F4 the image ends inside its 64 KiB sector (a partly covered sector);
    // the F1 application bootloader takes data from 0x08003000 in 1 KiB pages.
    public static TheoryData<string, uint, int, DfuAddressing> Cases => new()
    {
        { "stm32f4", 0x0800_0000, 96 * 1024, DfuAddressing.PerChunk },
        { "stm32f4", 0x0800_0000, 96 * 1024, DfuAddressing.AddressOnce },
        { "stm32f1-app", 0x0800_3000, 12 * 1024, DfuAddressing.PerChunk },
        { "stm32f1-app", 0x0800_3000, 12 * 1024, DfuAddressing.AddressOnce },
    };

    private static List<string> Erases(SimulatedDfuDevice device)
        => [.. device.Transcript.Entries.Where(e => e.Detail.StartsWith("erase 0x", StringComparison.Ordinal)).Select(e => e.Detail)];

    private static int DataBlocks(SimulatedDfuDevice device)
        => device.Transcript.Entries.Count(e => e.Name == "DFU_DNLOAD" && e.Detail.StartsWith("data block", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reflash_UnchangedImage_NoEraseNoWrite_VerifyPasses(string profile, uint address, int length, DfuAddressing addressing)
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Get(profile);
        var sim = SimHarness.Create(p);
        await using DfuDevice device = await sim.OpenAsync();
        byte[] data = SimHarness.Random(length, 1);
        DfuFile file = SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, data);
        await device.DownloadAsync(file, new DownloadOptions { Verify = true, Addressing = addressing });
        sim.Device.Transcript.Clear();

        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true, SkipUnchanged = true, Addressing = addressing });

        result.Verified.Should().BeTrue();
        result.Plan.ReadBackApplied.Should().BeTrue();
        result.Plan.EraseCount.Should().Be(0);
        result.Plan.WriteBytes.Should().Be(0);
        result.Plan.KeptSectors.Should().NotBeEmpty();
        result.Plan.VerifyBytes.Should().Be(length);
        Erases(sim.Device).Should().BeEmpty();
        DataBlocks(sim.Device).Should().Be(0);
        sim.Device.ReadMemory(address, length).Should().Equal(data);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reflash_OneBlockChanged_OnlyItsSectorIsErasedAndRewritten(string profile, uint address, int length, DfuAddressing addressing)
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Get(profile);
        var sim = SimHarness.Create(p);
        await using DfuDevice device = await sim.OpenAsync();
        byte[] data = SimHarness.Random(length, 2);
        await device.DownloadAsync(SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, data), new DownloadOptions { Addressing = addressing });
        sim.Device.Transcript.Clear();

        // One 2 KiB block changes: at 0x08004800 (F4 sector 1, 16 KiB) or 0x08003800 (F1 pages 2 and 3 past 0x08003000).
        byte[] next = data.ToArray();
        SimHarness.Random(2048, 3).CopyTo(next, profile == "stm32f4" ? 0x4800 : 0x800);
        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, next), new DownloadOptions { Verify = true, SkipUnchanged = true, Addressing = addressing });

        string[] expected = profile == "stm32f4" ? ["erase 0x08004000"] : ["erase 0x08003800", "erase 0x08003C00"];
        Erases(sim.Device).Should().Equal(expected);
        DataBlocks(sim.Device).Should().Be(profile == "stm32f4" ? 8 : 2, "only the changed sector's blocks are written again");
        result.Verified.Should().BeTrue();
        sim.Device.ReadMemory(address, length).Should().Equal(next);
    }

    [Fact]
    public async Task PartlyCoveredSector_OldBytesInTheGap_IsErased_GapBecomesErased()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;

        // Sector 1 (0x08004000, 16 KiB) holds the image's first 8 KiB, and old bytes after them.
        byte[] data = SimHarness.Random(8 * 1024, 4);
        byte[] old = [.. data, .. SimHarness.Random(8 * 1024, 5)];
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_4000, [.. old])] });
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_4000, data), new DownloadOptions { Verify = true, SkipUnchanged = true });

        result.Plan.KeptSectors.Should().BeEmpty("the erase would clear the old bytes after the image");
        Erases(sim.Device).Should().Equal("erase 0x08004000");
        sim.Device.ReadMemory(0x0800_6000, 8 * 1024).Should().OnlyContain(b => b == 0xFF);

        // Now the sector holds exactly its post-download content: the next run leaves it alone.
        sim.Device.Transcript.Clear();
        result = await device.DownloadAsync(
            SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_4000, data), new DownloadOptions { Verify = true, SkipUnchanged = true });
        result.Plan.KeptSectors.Select(s => s.Address).Should().Equal(0x0800_4000u);
        Erases(sim.Device).Should().BeEmpty();
    }

    [Fact]
    public async Task PlanDownloadAsync_DryRun_ReadsOnly_ShowsTheKeptSectors()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;
        byte[] data = SimHarness.Random(40 * 1024, 6);
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. data[..(32 * 1024)]])] });
        await using DfuDevice device = await sim.OpenAsync();
        DfuFile file = SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_0000, data);
        var reports = new List<DfuProgress>();

        TransferPlan plan = await device.PlanDownloadAsync(file, new DownloadOptions { SkipUnchanged = true }, new Collecting(reports));

        plan.KeptSectors.Select(s => s.ToString()).Should().Equal(
            "keep 0x08000000 +16384 (unchanged: not erased, not written)", "keep 0x08004000 +16384 (unchanged: not erased, not written)");
        plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address).Should().Equal(0x0800_8000u);
        plan.ToString().Should().Contain("skip-unchanged: 2 sector(s) kept");
        plan.ToJson().Should().Contain("\"Keep\"").And.Contain("\"check\": [");
        Erases(sim.Device).Should().BeEmpty();
        DataBlocks(sim.Device).Should().Be(0);
        reports.Should().OnlyContain(r => r.Phase == DfuPhase.Check);
        reports[^1].OverallFraction.Should().Be(1);

        // Running the checked plan does not read again: it erases and writes sector 2 only.
        sim.Device.Transcript.Clear();
        DownloadResult result = await device.ExecuteAsync(plan);
        Erases(sim.Device).Should().Equal("erase 0x08008000");
        sim.Device.Transcript.Entries.Should().NotContain(e => e.Name == "DFU_UPLOAD");
        result.Plan.Should().Be(plan);
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
    }

    [Fact]
    public async Task FailedRead_SectorIsNotSkipped()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;
        byte[] data = SimHarness.Random(32 * 1024, 7);
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. data])],
            Faults = SimulatedFaults.Of(SimulatedFault.StallRequest(DfuRequest.Upload)),
        });
        await using DfuDevice device = await sim.OpenAsync();

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_0000, data), new DownloadOptions { SkipUnchanged = true });

        // The first sector's read stalled: it is erased and written although it held the image; the second is kept.
        result.Plan.KeptSectors.Select(s => s.Address).Should().Equal(0x0800_4000u);
        Erases(sim.Device).Should().Equal("erase 0x08000000");
        sim.Device.ReadMemory(0x0800_0000, data.Length).Should().Equal(data);
    }

    [Fact]
    public async Task Backup_SameFileAsWithoutSkipUnchanged_NoDoubleReads()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;
        byte[] old = SimHarness.Random(64 * 1024, 8);
        byte[] next = old.ToArray();
        next[20_000] ^= 0xFF;
        DfuFile file = SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_0000, next);
        var backups = new List<DfuFile>();
        var uploads = new List<int>();
        foreach (bool skip in new[] { false, true })
        {
            var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. old])] });
            await using DfuDevice device = await sim.OpenAsync();
            await device.DownloadAsync(file, new DownloadOptions
            {
                SkipUnchanged = skip,
                Backup = (f, _) =>
                {
                    backups.Add(f);
                    return ValueTask.CompletedTask;
                },
            });
            uploads.Add(sim.Device.Transcript.Entries.Count(e => e.Name == "DFU_UPLOAD"));
            sim.Device.ReadMemory(0x0800_0000, next.Length).Should().Equal(next);
        }

        backups[1].ToArray().Should().Equal(backups[0].ToArray(), "the backup does not depend on what the check found");
        uploads[1].Should().Be(uploads[0], "the check's reads are the backup's: nothing is read twice");
    }

    private sealed class Collecting(List<DfuProgress> reports) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value) => reports.Add(value);
    }
}
