using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Planning;

/// <summary>The pure transformation of skip-unchanged: <see cref="TransferPlanner.ApplyReadBack"/>.</summary>
public class ApplyReadBackTests
{
    private static readonly DfuSeMemoryLayout F4 = DfuSeMemoryLayout.Parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    private static readonly DfuSeMemoryLayout F1 = DfuSeMemoryLayout.Parse("@Internal Flash  /0x08000000/12*001Ka,116*001Kg");

    internal static TransferPlan Plan(DfuSeMemoryLayout layout, uint address, byte[] data, int transferSize, bool perChunk, bool backup = false, bool verify = true)
    {
        var image = new DfuSeImage([new DfuSeTarget(0, null, [new DfuSeElement(address, data)])]);
        TransferPlan plan = TransferPlanner.PlanDfuSe(image, new Dictionary<byte, DfuSeMemoryLayout> { [0] = layout }, new DfuSePlanOptions
        {
            TransferSize = transferSize,
            SetAddressPerChunk = perChunk,
            Backup = backup,
            Verify = verify,
            CheckUnchanged = true,
            Leave = true,
        });
        return plan with { Addressing = perChunk ? DfuAddressing.PerChunk : DfuAddressing.AddressOnce };
    }

    // What each check step would read from a flash that already holds what the plan leaves behind.
    internal static List<TransferSegment> AfterDownload(TransferPlan plan)
    {
        var reads = new List<TransferSegment>();
        foreach (TransferStep step in plan.Check.Where(s => s.Kind == TransferStepKind.Check))
        {
            byte[] bytes = new byte[step.Length];
            bytes.AsSpan().Fill(0xFF);
            foreach (TransferSegment segment in plan.Segments)
            {
                for (int i = 0; i < step.Length; i++)
                {
                    ulong a = step.Address + (ulong)i;
                    if (a >= segment.Address && a < segment.End)
                    {
                        bytes[i] = segment.Data.Span[(int)(a - segment.Address)];
                    }
                }
            }

            reads.Add(new TransferSegment(step.AlternateSetting, step.Address, bytes));
        }

        return reads;
    }

    private static byte[] Random(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UnchangedImage_NoEraseNoWrite_KeepsEverySector_VerifiesTheWholeImage(bool perChunk)
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(300 * 1024, 1), 2048, perChunk);
        plan.Check.Where(s => s.Kind == TransferStepKind.Check).Select(s => s.Address)
            .Should().Equal(plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address));

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, AfterDownload(plan));

        result.ReadBackApplied.Should().BeTrue();
        result.Steps.Should().NotContain(s => s.Kind == TransferStepKind.Erase || s.Kind == TransferStepKind.Write || s.Kind == TransferStepKind.SetAddress);
        result.KeptSectors.Select(s => s.Address).Should().Equal(plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address));
        result.VerifyBytes.Should().Be(300 * 1024);
        result.Steps.Where(s => s.Kind == TransferStepKind.Verify).Should().Equal(plan.Steps.Where(s => s.Kind == TransferStepKind.Verify));
        result.Steps[^1].Kind.Should().Be(TransferStepKind.DfuSeLeave);
        result.ToString().Should().Contain("7 sector(s) kept");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NothingRead_PlanUnchangedExceptTheFlag(bool perChunk)
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(200 * 1024, 2), 2048, perChunk);

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, []);

        result.Steps.Should().Equal(plan.Steps);
        result.KeptSectors.Should().BeEmpty();
        (result with { ReadBackApplied = false }).Should().Be(plan);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneBlockChanged_OnlyItsSectorIsErasedAndRewritten_AddressingDerivedAgain(bool perChunk)
    {
        byte[] data = Random(96 * 1024, 3);
        TransferPlan plan = Plan(F4, 0x0800_0000, data, 2048, perChunk);
        List<TransferSegment> reads = AfterDownload(plan);

        // The flash differs in one byte of sector 1 (0x08004000, 16 KiB).
        TransferSegment sector1 = reads.Single(r => r.Address == 0x0800_4000);
        byte[] old = sector1.Data.ToArray();
        old[5000] ^= 0x5A;
        reads[reads.IndexOf(sector1)] = sector1 with { Data = old };

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, reads);

        result.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address).Should().Equal(0x0800_4000u);
        result.KeptSectors.Select(s => s.Address).Should().Equal(0x0800_0000u, 0x0800_8000u, 0x0800_C000u, 0x0801_0000u);
        var writes = result.Steps.Where(s => s.Kind == TransferStepKind.Write).ToList();
        writes.Should().HaveCount(8);
        writes.Should().OnlyContain(w => w.Address >= 0x0800_4000 && w.Address < 0x0800_8000);
        var setAddresses = result.Steps.Where(s => s.Kind == TransferStepKind.SetAddress).ToList();
        if (perChunk)
        {
            setAddresses.Should().HaveCount(8);
            writes.Should().OnlyContain(w => w.Block == 2);
        }
        else
        {
            // One pointer for the run that the kept sectors now bound, blocks 2..9 from it.
            setAddresses.Select(s => s.Address).Should().Equal(0x0800_4000u);
            writes.Select(w => (int)w.Block).Should().Equal(Enumerable.Range(2, 8));
        }

        result.VerifyBytes.Should().Be(96 * 1024);
    }

    [Fact]
    public void KeptSectorBetweenChangedOnes_AddressOnce_NewPointerAfterTheGap()
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(48 * 1024, 10), 2048, perChunk: false);
        List<TransferSegment> reads = AfterDownload(plan);
        foreach (int index in new[] { 0, 2 })
        {
            byte[] changed = reads[index].Data.ToArray();
            changed[0] ^= 1;
            reads[index] = reads[index] with { Data = changed };
        }

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, reads);

        result.KeptSectors.Select(s => s.Address).Should().Equal(0x0800_4000u);
        result.Steps.Where(s => s.Kind == TransferStepKind.SetAddress).Select(s => s.Address).Should().Equal(0x0800_0000u, 0x0800_8000u);
        result.Steps.Where(s => s.Kind == TransferStepKind.Write && s.Address == 0x0800_8000).Single().Block.Should().Be(2);
        result.Steps.Where(s => s.Kind == TransferStepKind.Write).Max(s => s.Block).Should().Be(9);
    }

    [Fact]
    public void ShortOrMissingRead_KeepsTheSectorInThePlan()
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(64 * 1024, 4), 2048, perChunk: false);
        List<TransferSegment> reads = AfterDownload(plan);
        reads[0] = reads[0] with { Data = reads[0].Data[..1000] };
        reads.RemoveAt(2);

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, reads);

        result.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address).Should().Equal(0x0800_0000u, 0x0800_8000u);
        result.KeptSectors.Select(s => s.Address).Should().Equal(0x0800_4000u, 0x0800_C000u);
    }

    [Fact]
    public void PartlyCoveredSector_GapMustBeErased_OldBytesInTheGapKeepItInThePlan()
    {
        // 0x08004000-0x08005FFF covers half of the second 16 KiB sector; the rest of it becomes 0xFF after the erase.
        TransferPlan plan = Plan(F4, 0x0800_4000, Random(8 * 1024, 5), 2048, perChunk: false);
        List<TransferSegment> reads = AfterDownload(plan);
        TransferPlanner.ApplyReadBack(plan, reads).KeptSectors.Should().ContainSingle();

        byte[] stale = reads[0].Data.ToArray();
        stale[12 * 1024] = 0x00;
        TransferPlan result = TransferPlanner.ApplyReadBack(plan, [reads[0] with { Data = stale }]);

        result.KeptSectors.Should().BeEmpty();
        result.Steps.Where(s => s.Kind == TransferStepKind.Write).Sum(s => s.Length).Should().Be(8 * 1024);
    }

    [Fact]
    public void BlockAcrossTwoSectors_TiesThem()
    {
        // F1 pages of 1 KiB, blocks of 1 KiB from 0x08003200: each block spans two pages.
        TransferPlan plan = Plan(F1, 0x0800_3200, Random(4 * 1024, 6), 1024, perChunk: false);
        List<TransferSegment> reads = AfterDownload(plan);
        int last = reads.Count - 1;
        byte[] changed = reads[last].Data.ToArray();
        changed[^1] ^= 1;
        reads[last] = reads[last] with { Data = changed };

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, reads);

        // The change in the last page pulls in every page a block shares with it: all of them here.
        result.KeptSectors.Should().BeEmpty();
        result.Steps.Where(s => s.Kind == TransferStepKind.Write).Should().HaveCount(plan.Steps.Count(s => s.Kind == TransferStepKind.Write));
    }

    [Fact]
    public void Backup_ReadsNothingTheCheckRead_BackupDataHoldsEveryReadSector()
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(40 * 1024, 7), 2048, perChunk: true, backup: true);
        List<TransferSegment> reads = AfterDownload(plan);
        reads.RemoveAt(1);

        TransferPlan result = TransferPlanner.ApplyReadBack(plan, reads);

        result.HasBackup.Should().BeTrue();
        result.BackupData.Select(s => (s.Address, s.Data.Length)).Should().Equal((0x0800_0000u, 16 * 1024), (0x0800_8000u, 16 * 1024));
        result.Steps.Where(s => s.Kind == TransferStepKind.Backup).Select(s => (s.Address, s.Length)).Should().Equal((0x0800_4000u, 16 * 1024));
    }

    [Fact]
    public void AppliedTwice_Refused()
    {
        TransferPlan plan = Plan(F4, 0x0800_0000, Random(1024, 8), 2048, perChunk: true);
        TransferPlan once = TransferPlanner.ApplyReadBack(plan, []);

        FluentActions.Invoking(() => TransferPlanner.ApplyReadBack(once, [])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Planner_SkipUnchangedWithMassErase_Warns_AndHasNoCheck()
    {
        var device = new DfuTargetDevice
        {
            VendorId = 0x0483,
            ProductId = 0xDF11,
            Descriptor = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload, 255, 2048, 0x011A),
            AlternateSettings = [PlanTranscriptTests.Setting(0, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg")],
        };
        var image = MemoryImage.FromBytes(0x0800_0000, Random(1024, 9));

        TransferPlan mass = TransferPlanner.Plan(device, image, 0, new DownloadOptions { SkipUnchanged = true, Erase = DfuSeEraseMode.Mass });
        TransferPlan sectors = TransferPlanner.Plan(device, image, 0, new DownloadOptions { SkipUnchanged = true });

        mass.Check.Should().BeEmpty();
        mass.Warnings.Should().ContainSingle(w => w.Contains("mass erase", StringComparison.Ordinal));
        sectors.Check.Where(s => s.Kind == TransferStepKind.Check).Should().Equal(new TransferStep(TransferStepKind.Check, 0, 0x0800_0000, 16 * 1024, 2));
        ImmutableArray<TransferStep> none = TransferPlanner.Plan(device, image, 0, new DownloadOptions()).Check;
        none.Should().BeEmpty();
    }
}
