using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>The whole operation's progress (<see cref="DfuProgress.OverallFraction"/>, rate, time left) over whole
/// downloads on simulated boards, in virtual time.</summary>
public class OverallProgressTests
{
    private sealed record Seen(DfuProgress Report, TimeSpan At);

    private sealed class Recording(TimeProvider time) : IProgress<DfuProgress>
    {
        private readonly long _start = time.GetTimestamp();

        public List<Seen> Reports { get; } = [];

        public void Report(DfuProgress value) => Reports.Add(new Seen(value, time.GetElapsedTime(_start)));
    }

    [Fact]
    public async Task Download_BackupVerifyLeave_FractionRisesFrom0To1_TimeLeftShrinks_RateIsBytesOverTime()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. SimHarness.Random(64 * 1024, 1)])] });
        await using DfuDevice device = await sim.OpenAsync();
        byte[] data = SimHarness.Random(200 * 1024, 2);
        var progress = new Recording(sim.Time);

        DownloadResult result = await device.DownloadAsync(SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_0000, data), new DownloadOptions
        {
            Verify = true,
            Leave = true,
            Backup = (_, _) => ValueTask.CompletedTask,
        }, progress);

        List<Seen> seen = progress.Reports;
        seen.Select(s => s.Report.Phase).Distinct().Should().Equal(DfuPhase.Upload, DfuPhase.Erase, DfuPhase.Download, DfuPhase.Verify, DfuPhase.Leave);
        double[] fractions = [.. seen.Select(s => s.Report.OverallFraction)];
        fractions.Should().BeInAscendingOrder();
        fractions[0].Should().BeInRange(0, 0.05);
        fractions[^1].Should().Be(1);
        seen[^1].Report.TimeLeft.Should().Be(TimeSpan.Zero);
        seen.Should().OnlyContain(s => s.Report.Pacing == DfuPacing.Adaptive);

        // The time left shrinks: at each quarter of the operation it is less than at the one before.
        TimeSpan[] quarters = [.. new[] { 0.25, 0.5, 0.75 }.Select(q => seen.First(s => s.Report.OverallFraction >= q).Report.TimeLeft!.Value)];
        quarters.Should().BeInDescendingOrder();
        quarters[0].Should().BeGreaterThan(TimeSpan.Zero);

        // The rate is every byte moved (backup, write, verify) over the virtual time taken.
        long moved = result.Plan.BackupBytes + result.Plan.WriteBytes + result.Plan.VerifyBytes;
        Seen last = seen.Last(s => s.Report.Unit == DfuProgressUnit.Bytes);
        last.Report.BytesPerSecond.Should().BeApproximately(moved / last.At.TotalSeconds, moved / last.At.TotalSeconds * 0.01);

        // The fraction follows expected time, not bytes: the erases (several seconds) weigh more than their share of steps.
        double afterErase = seen.First(s => s.Report.Phase == DfuPhase.Download).Report.OverallFraction;
        double beforeErase = seen.Last(s => s.Report.Phase == DfuPhase.Upload).Report.OverallFraction;
        (afterErase - beforeErase).Should().BeGreaterThan(0.3);
    }

    [Fact]
    public async Task Download_SkipUnchanged_FractionNeverGoesBackAcrossTheCheck_EndsAt1()
    {
        SimulatedDeviceProfile p = SimulatedProfiles.Stm32F4;
        byte[] data = SimHarness.Random(64 * 1024, 3);
        var sim = SimHarness.Create(p, new SimulatedDeviceOptions { InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [.. data[..(32 * 1024)]])] });
        await using DfuDevice device = await sim.OpenAsync();
        var progress = new Recording(sim.Time);

        DownloadResult result = await device.DownloadAsync(
            SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, 0x0800_0000, data), new DownloadOptions { Verify = true, SkipUnchanged = true }, progress);

        result.Plan.KeptSectors.Should().HaveCount(2);
        progress.Reports.Select(s => s.Report.Phase).Distinct().Should().Equal(DfuPhase.Check, DfuPhase.Erase, DfuPhase.Download, DfuPhase.Verify);
        progress.Reports.Select(s => s.Report.OverallFraction).Should().BeInAscendingOrder();
        progress.Reports[^1].Report.OverallFraction.Should().Be(1);
    }

    [Fact]
    public async Task Upload_OutsideAPlan_ThePhaseIsTheWhole()
    {
        var sim = SimHarness.Create("stm32f4");
        await using DfuDevice device = await sim.OpenAsync();
        var progress = new Recording(sim.Time);

        await device.UploadAsync(new UploadOptions { Address = 0x0800_0000, Length = 8192 }, progress);

        progress.Reports.Select(s => s.Report.OverallFraction).Should().Equal(0.25, 0.5, 0.75, 1);
        progress.Reports.Should().OnlyContain(s => s.Report.Pacing == null);
        progress.Reports[^1].Report.TimeLeft.Should().Be(TimeSpan.Zero);
    }
}
