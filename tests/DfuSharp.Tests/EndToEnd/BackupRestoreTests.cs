using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>The backup is the erase set: downloading it puts back every byte the download erased or overwrote.</summary>
public class BackupRestoreTests
{
    public static TheoryData<string, uint> DfuSeProfiles() => new()
    {
        { "stm32f4", 0x0800_0000 },
        { "stm32f4", 0x0800_3F00 },
        { "stm32f1-app", 0x0800_3000 },
        { "stm32f1-app", 0x0800_3C10 },
    };

    [Theory]
    [MemberData(nameof(DfuSeProfiles))]
    public async Task DownloadAsync_BackupThenRestore_BoardIsByteForByteAsBefore(string profile, uint address)
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Get(profile);
        byte[] old = SimHarness.Random(0x1_0000, 5);
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_3000, [.. old])] });
        await using DfuDevice device = await sim.OpenAsync();
        const int Span = 0x2_0000;
        byte[] before = sim.Device.ReadMemory(0x0800_0000, Span);
        DfuFile? backup = null;
        byte[] next = SimHarness.Random(3000, 6);

        DownloadResult result = await device.DownloadAsync(SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, address, next), new DownloadOptions
        {
            Verify = true,
            Backup = (file, _) =>
            {
                backup = file;
                return ValueTask.CompletedTask;
            },
        });
        sim.Device.ReadMemory(address, next.Length).Should().Equal(next);
        long erased = result.Plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Sum(s => (long)s.Length);
        result.Plan.BackupBytes.Should().Be(erased, "the backup holds every byte of every erased sector");
        backup!.DfuSe!.Targets.Single().Elements.Sum(e => (long)e.Data.Length).Should().Be(erased);

        // The backup goes through the file format, as --backup writes it, and is restored without --force.
        DfuFile restored = DfuFile.Read(backup.ToArray());
        await device.DownloadAsync(restored, new DownloadOptions { Verify = true });

        sim.Device.ReadMemory(0x0800_0000, Span).Should().Equal(before);
    }

    [Fact]
    public async Task DownloadAsync_TwoSectorsTouched_BackupIsOneElementPerContiguousRange()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        var file = new DfuFile
        {
            DfuSe = new DfuSeImage([new DfuSeTarget(0, null, [
                new DfuSeElement(0x0800_0000, new byte[16]),
                new DfuSeElement(0x0800_4000, new byte[16]),
                new DfuSeElement(0x0802_0000, new byte[16])])]),
            Suffix = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DfuVersion = DfuSuffix.DfuSe },
        };
        DfuFile? backup = null;

        await device.DownloadAsync(file, new DownloadOptions
        {
            Backup = (b, _) =>
            {
                backup = b;
                return ValueTask.CompletedTask;
            },
        });

        backup!.DfuSe!.Targets.Single().Elements.Select(e => (e.Address, e.Data.Length)).Should().Equal(
            (0x0800_0000u, 0x8000), (0x0802_0000u, 0x2_0000));
    }
}
