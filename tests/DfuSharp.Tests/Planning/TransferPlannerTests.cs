using System.Collections.Immutable;
using System.Text.Json;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;

namespace DfuSharp.Tests.Planning;

public class TransferPlannerTests
{
    private static readonly DfuSeMemoryLayout F4 = DfuSeMemoryLayout.Parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    private static readonly Dictionary<byte, DfuSeMemoryLayout> Layouts = new()
    {
        [0] = F4,
        [1] = DfuSeMemoryLayout.Parse("@Option Bytes  /0x1FFFC000/01*016 e"),
        [2] = DfuSeMemoryLayout.Parse("@Boot/0x08000000/12*001Ka,116*001Kg"),
    };

    private static DfuSeImage Image(byte alt, params (uint Address, int Length)[] elements)
        => new([new DfuSeTarget(alt, null, [.. elements.Select(e => new DfuSeElement(e.Address, Bytes(e.Length, (int)e.Address)))])]);

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static TransferStep Select(byte alt = 0) => TransferStep.Select(alt);

    private static TransferStep Erase(uint address, int size) => new(TransferStepKind.Erase, 0, address, size);

    private static TransferStep SetAddress(uint address) => new(TransferStepKind.SetAddress, 0, address);

    private static TransferStep Write(uint address, int length, ushort block = 2) => new(TransferStepKind.Write, 0, address, length, block);

    [Fact]
    public void PlanDfuSe_SmallImage_EraseSetAddressWriteVerifyLeave()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 5000)), Layouts,
            new DfuSePlanOptions { TransferSize = 2048, Verify = true, Leave = true });

        plan.Steps.Should().Equal(
            Select(),
            Erase(0x0800_0000, 16 * 1024),
            SetAddress(0x0800_0000), Write(0x0800_0000, 2048),
            SetAddress(0x0800_0800), Write(0x0800_0800, 2048),
            SetAddress(0x0800_1000), Write(0x0800_1000, 904),
            new TransferStep(TransferStepKind.Verify, 0, 0x0800_0000, 5000, 2),
            new TransferStep(TransferStepKind.DfuSeLeave, 0, 0x0800_0000));
        plan.WriteBytes.Should().Be(5000);
    }

    [Fact]
    public void PlanDfuSe_ElementsSharingSectors_EachSectorErasedOnce()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(
            Image(0, (0x0800_0000, 100), (0x0800_3F00, 0x200), (0x0800_1000, 10), (0x0801_FFF0, 0x20)),
            Layouts, new DfuSePlanOptions { TransferSize = 1024 });

        plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address)
            .Should().Equal(0x0800_0000u, 0x0800_4000u, 0x0801_0000u, 0x0802_0000u);
    }

    [Fact]
    public void PlanDfuSe_AddressOnce_BlocksCountUpFromTwoAndTheShortBlockGetsItsOwnPointer()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 2500)), Layouts,
            new DfuSePlanOptions { TransferSize = 1024, SetAddressPerChunk = false, Erase = DfuSeEraseMode.None });

        plan.Steps.Should().Equal(
            Select(),
            SetAddress(0x0800_0000),
            Write(0x0800_0000, 1024, 2), Write(0x0800_0400, 1024, 3),
            SetAddress(0x0800_0800), Write(0x0800_0800, 452, 2),
            new TransferStep(TransferStepKind.Abort, 0));
    }

    [Fact]
    public void PlanDfuSe_ManyBlocks_NeverWrapsBlockNumberToZero()
    {
        // 70,000 blocks of 8 bytes: a counter from 2 would pass 0xFFFF.
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 70_000 * 8)), Layouts,
            new DfuSePlanOptions { TransferSize = 8, SetAddressPerChunk = false, Erase = DfuSeEraseMode.None });

        var writes = plan.Steps.Where(s => s.Kind == TransferStepKind.Write).ToList();
        writes.Should().HaveCount(70_000);
        writes.Should().OnlyContain(s => s.Block >= 2);
        int setAddressBeforeWrap = plan.Steps.Count(s => s.Kind == TransferStepKind.SetAddress);
        setAddressBeforeWrap.Should().Be(2);
        plan.Steps.SkipWhile(s => s.Block != ushort.MaxValue).Skip(1).First().Should().Be(SetAddress(0x0800_0000 + (65_534u * 8)));
    }

    [Fact]
    public void PlanDfuSe_AdjacentElements_MergedSoOnlyTheLastBlockIsShort()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 1000), (0x0800_03E8, 1000)), Layouts,
            new DfuSePlanOptions { TransferSize = 1024, Erase = DfuSeEraseMode.None });

        plan.Steps.Where(s => s.Kind == TransferStepKind.Write).Select(s => s.Length).Should().Equal(1024, 976);
        plan.Segments.Should().ContainSingle();
    }

    [Fact]
    public void PlanDfuSe_OverlappingElementsWithDifferentBytes_RefusedNamingBothElements()
    {
        var image = new DfuSeImage([new DfuSeTarget(0, null, [
            new DfuSeElement(0x0800_0000, new byte[] { 1, 1, 1, 1 }),
            new DfuSeElement(0x0800_0002, new byte[] { 2, 2, 2, 2 })])]);

        FluentActions.Invoking(() => TransferPlanner.PlanDfuSe(image, Layouts, new DfuSePlanOptions { TransferSize = 64 }))
            .Should().Throw<DfuFormatException>().Where(e => e.Error == DfuFormatError.OverlappingData)
            .WithMessage("*0x08000002*0x08000000*0x08000002*");
    }

    [Fact]
    public void PlanDfuSe_OverlappingElementsWithTheSameBytes_MergedIntoOneSegment()
    {
        var image = new DfuSeImage([new DfuSeTarget(0, null, [
            new DfuSeElement(0x0800_0000, new byte[] { 1, 1, 2, 2 }),
            new DfuSeElement(0x0800_0002, new byte[] { 2, 2, 3, 3 })])]);
        TransferPlan plan = TransferPlanner.PlanDfuSe(image, Layouts, new DfuSePlanOptions { TransferSize = 64 });

        plan.GetData(Write(0x0800_0000, 6)).ToArray().Should().Equal(1, 1, 2, 2, 3, 3);
    }

    [Fact]
    public void PlanDfuSe_MassErase_OneMassEraseStep()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 16)), Layouts,
            new DfuSePlanOptions { TransferSize = 64, Erase = DfuSeEraseMode.Mass });

        plan.Steps.Should().Equal(
            Select(), new TransferStep(TransferStepKind.MassErase, 0), SetAddress(0x0800_0000), Write(0x0800_0000, 16), new TransferStep(TransferStepKind.Abort, 0));
    }

    [Fact]
    public void PlanDfuSe_PastEndOfFlash_RefusedNamingFirstOutsideAddress()
    {
        FluentActions.Invoking(() => TransferPlanner.PlanDfuSe(Image(0, (0x080F_FF00, 0x200)), Layouts, new DfuSePlanOptions { TransferSize = 2048 }))
            .Should().Throw<DfuFileMismatchException>()
            .Where(e => e.Address == 0x0810_0000u)
            .WithMessage("*0x08100000*");
    }

    [Fact]
    public void PlanDfuSe_BeforeFlash_RefusedNamingAddress()
        => FluentActions.Invoking(() => TransferPlanner.PlanDfuSe(Image(0, (0x0700_0000, 16)), Layouts, new DfuSePlanOptions { TransferSize = 2048 }))
            .Should().Throw<DfuFileMismatchException>().Where(e => e.Address == 0x0700_0000u);

    [Fact]
    public void PlanDfuSe_ReadOnlyBootSector_RefusedNamingAddress()
        => FluentActions.Invoking(() => TransferPlanner.PlanDfuSe(Image(2, (0x0800_2C00, 0x800)), Layouts, new DfuSePlanOptions { TransferSize = 2048 }))
            .Should().Throw<DfuFileMismatchException>().Where(e => e.Address == 0x0800_2C00u).WithMessage("*not writable*");

    [Fact]
    public void PlanDfuSe_WritableNotErasable_WrittenWithoutErase()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(1, (0x1FFF_C000, 16)), Layouts, new DfuSePlanOptions { TransferSize = 2048 });
        plan.Steps.Should().Equal(
            Select(1), new TransferStep(TransferStepKind.SetAddress, 1, 0x1FFF_C000), new TransferStep(TransferStepKind.Write, 1, 0x1FFF_C000, 16, 2),
            new TransferStep(TransferStepKind.Abort, 1));
    }

    [Fact]
    public void PlanDfuSe_UnknownAlternateSetting_Refused()
        => FluentActions.Invoking(() => TransferPlanner.PlanDfuSe(Image(7, (0, 1)), Layouts, new DfuSePlanOptions { TransferSize = 2048 }))
            .Should().Throw<DfuFileMismatchException>().WithMessage("*alternate setting 7*");

    [Fact]
    public void PlanDfuSe_TwoTargets_EachSelectedThenLeaveOnFirst()
    {
        var image = new DfuSeImage([
            new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, new byte[4])]),
            new DfuSeTarget(1, "Option Bytes", [new DfuSeElement(0x1FFF_C000, new byte[4])])]);
        TransferPlan plan = TransferPlanner.PlanDfuSe(image, Layouts, new DfuSePlanOptions { TransferSize = 64, Leave = true, LeaveAddress = 0x0800_0000 });

        plan.Steps.Select(s => (s.Kind, s.AlternateSetting)).Should().Equal(
            (TransferStepKind.SelectAlternateSetting, (byte)0), (TransferStepKind.Erase, (byte)0),
            (TransferStepKind.SetAddress, (byte)0), (TransferStepKind.Write, (byte)0),
            (TransferStepKind.SelectAlternateSetting, (byte)1),
            (TransferStepKind.SetAddress, (byte)1), (TransferStepKind.Write, (byte)1),
            (TransferStepKind.SelectAlternateSetting, (byte)0), (TransferStepKind.DfuSeLeave, (byte)0));
    }

    [Fact]
    public void PlanDfu_FirmwareOfTwoAndAHalfBlocks_BlocksFromZeroThenZeroLengthEnd()
    {
        TransferPlan plan = TransferPlanner.PlanDfu(Bytes(2500, 1), new DfuPlanOptions { TransferSize = 1024, Verify = true });

        plan.Steps.Should().Equal(
            Select(),
            new TransferStep(TransferStepKind.Write, 0, 0, 1024, 0),
            new TransferStep(TransferStepKind.Write, 0, 1024, 1024, 1),
            new TransferStep(TransferStepKind.Write, 0, 2048, 452, 2),
            new TransferStep(TransferStepKind.Manifest, 0, Block: 3),
            new TransferStep(TransferStepKind.VerifyFirmware, 0, 0, 2500));
    }

    [Fact]
    public void PlanDfu_ExactMultiple_NoShortBlockButStillZeroLengthEnd()
    {
        TransferPlan plan = TransferPlanner.PlanDfu(Bytes(2048, 2), new DfuPlanOptions { TransferSize = 1024 });
        plan.Steps.Select(s => s.Length).Should().Equal(0, 1024, 1024, 0);
        plan.Steps[^1].Kind.Should().Be(TransferStepKind.Manifest);
    }

    [Fact]
    public void PlanDfu_GetData_ReturnsTheBlockBytes()
    {
        byte[] firmware = Bytes(3000, 3);
        TransferPlan plan = TransferPlanner.PlanDfu(firmware, new DfuPlanOptions { TransferSize = 1024 });
        plan.GetData(plan.Steps[2]).ToArray().Should().Equal(firmware[1024..2048]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void PlanDfu_BadTransferSize_Throws(int size)
        => FluentActions.Invoking(() => TransferPlanner.PlanDfu(new byte[1], new DfuPlanOptions { TransferSize = size }))
            .Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void PlanErase_Range_EverySectorOnce()
        => TransferPlanner.PlanErase(F4, 0, 0x0800_3000, 0x2000).Should().Equal(Erase(0x0800_0000, 0x4000), Erase(0x0800_4000, 0x4000));

    [Fact]
    public void PlanErase_NotErasable_RefusedNamingSector()
        => FluentActions.Invoking(() => TransferPlanner.PlanErase(Layouts[1], 1, 0x1FFF_C000, 1))
            .Should().Throw<DfuFileMismatchException>().Where(e => e.Address == 0x1FFF_C000u);

    [Fact]
    public void ToJson_Plan_CamelCaseWithStepKindsAsStrings()
    {
        TransferPlan plan = TransferPlanner.PlanDfuSe(Image(0, (0x0800_0000, 16)), Layouts,
            new DfuSePlanOptions { TransferSize = 2048, Leave = true });

        using JsonDocument json = JsonDocument.Parse(plan.ToJson());
        JsonElement root = json.RootElement;
        root.GetProperty("protocol").GetString().Should().Be("DfuSe");
        root.GetProperty("transferSize").GetInt32().Should().Be(2048);
        root.GetProperty("writeBytes").GetInt64().Should().Be(16);
        root.TryGetProperty("segments", out _).Should().BeFalse();
        var steps = root.GetProperty("steps").EnumerateArray().ToList();
        steps.Select(s => s.GetProperty("kind").GetString()).Should().Equal("SelectAlternateSetting", "Erase", "SetAddress", "Write", "DfuSeLeave");
        steps[3].GetProperty("address").GetUInt32().Should().Be(0x0800_0000u);
        steps[3].GetProperty("block").GetInt32().Should().Be(2);
    }

    [Fact]
    public void DfuJsonContext_DownloadResult_OutcomeAsString()
    {
        TransferPlan plan = TransferPlanner.PlanDfu(new byte[3], new DfuPlanOptions { TransferSize = 64 });
        string json = JsonSerializer.Serialize(new DownloadResult(plan, true, DfuLeaveOutcome.Disconnected), DfuJsonContext.Default.DownloadResult);

        using JsonDocument doc = JsonDocument.Parse(json);
        doc.RootElement.GetProperty("outcome").GetString().Should().Be("Disconnected");
        doc.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
        doc.RootElement.GetProperty("plan").GetProperty("writeBytes").GetInt64().Should().Be(3);
    }
}
