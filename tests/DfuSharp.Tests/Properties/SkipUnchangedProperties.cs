using CsCheck;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;

namespace DfuSharp.Tests.Properties;

/// <summary>
/// Skip-unchanged never changes the outcome: the transformed plan, run on any flash, leaves it exactly as the whole plan
/// would, writes only into sectors it erased, and its block numbers address what its steps say (ST AN3156 §6.3.6:
/// pointer + (wBlockNum − 2) × wTransferSize).
/// </summary>
public sealed class SkipUnchangedProperties
{
    private const uint Origin = 0x0800_0000;

    private static readonly string[] s_layouts =
    [
        "@Internal Flash  /0x08000000/32*001Kg",
        "@Internal Flash  /0x08000000/04*001Kg,04*002Kg,02*004Kg",
        "@Internal Flash  /0x08000000/08*002Kg,02*008Kg",
    ];

    // Mostly page-aligned starts: a block that spans a sector boundary ties the sectors on both sides of it, so only
    // aligned images leave kept sectors between changed ones.
    private static readonly Gen<(int Offset, int Length, int Seed)> s_chunk = Gen.Select(Gen.Frequency((3, Gen.Int[0, 160].Select(i => i * 256)), (1, Gen.Int[0, 40_000])), Gen.Int[1, 20_000], Gen.Int);

    // Per sector: 0 = already the new content, 1 = one byte differs, 2 = random old content, 3 = not read, 4 = read short.
    private static readonly Gen<int[]> s_state = Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[1, 4])).Array[64];

    [Fact]
    public void TransformedPlan_LeavesTheSameFlashAsTheWholePlan()
        => Gen.Select(Gen.OneOf(s_layouts), s_chunk.Array[1, 3], Gen.OneOf(64, 256, 1000, 1024, 2048), Gen.Bool, Gen.Select(s_state, Gen.Int, Gen.Bool))
            .Sample((text, chunks, transferSize, perChunk, flash) =>
            {
                var (states, seed, backup) = flash;
                DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse(text);
                int size = (int)(layout.Regions[0].End - Origin);
                MemoryImage image = MemoryImage.Empty;
                foreach (var (offset, length, chunkSeed) in chunks)
                {
                    int start = offset % size;
                    image = image.Merge(MemoryImage.FromBytes(Origin + (uint)start, Bytes(Math.Min(length, size - start), chunkSeed)), MemoryOverlapPolicy.LaterWins);
                }

                var dfuSe = new DfuSeImage([DfuSeConvert.ToTarget(image, 0, null)]);
                TransferPlan plan = TransferPlanner.PlanDfuSe(dfuSe, new Dictionary<byte, DfuSeMemoryLayout> { [0] = layout }, new DfuSePlanOptions
                {
                    TransferSize = transferSize,
                    SetAddressPerChunk = perChunk,
                    CheckUnchanged = true,
                    Backup = backup,
                    Verify = true,
                }) with { Addressing = perChunk ? DfuAddressing.PerChunk : DfuAddressing.AddressOnce };

                // The flash before the download: per sector, the new content, nearly it, or something else.
                byte[] after = Run(plan, Bytes(size, seed), size);
                byte[] before = after.ToArray();
                var random = new Random(seed);
                var reads = new List<TransferSegment>();
                DfuSeSector[] sectors = [.. layout.Sectors];
                for (int i = 0; i < sectors.Length; i++)
                {
                    int at = (int)(sectors[i].Address - Origin);
                    int length = (int)sectors[i].Size;
                    switch (states[i % states.Length])
                    {
                        case 1:
                            before[at + random.Next(length)] ^= (byte)(1 + random.Next(255));
                            break;
                        case 2:
                            // Random old content, made to differ: the generator's seeds may repeat an image chunk's
                            // bytes (System.Random takes the absolute value of a negative seed).
                            random.NextBytes(before.AsSpan(at, length));
                            before[at] = (byte)~after[at];
                            break;
                    }
                }

                foreach (TransferStep check in plan.Check.Where(s => s.Kind == TransferStepKind.Check))
                {
                    int index = Array.FindIndex(sectors, s => s.Address == check.Address);
                    int state = states[index % states.Length];
                    if (state == 3)
                    {
                        continue;
                    }

                    int length = state == 4 ? check.Length / 2 : check.Length;
                    reads.Add(new TransferSegment(0, check.Address, before.AsSpan((int)(check.Address - Origin), length).ToArray()));
                }

                TransferPlan transformed = TransferPlanner.ApplyReadBack(plan, reads);

                Run(transformed, before, size).Should().Equal(Run(plan, before, size));
                transformed.VerifyBytes.Should().Be(plan.VerifyBytes);
                foreach (TransferStep kept in transformed.KeptSectors)
                {
                    int index = Array.FindIndex(sectors, s => s.Address == kept.Address);
                    states[index % states.Length].Should().Be(0, "only a sector read in full and equal to its new content is kept");
                }

                if (backup)
                {
                    // Every byte the whole plan's backup reads is still in the backup: read again, or already read.
                    var covered = new bool[size];
                    foreach (TransferStep b in transformed.Steps.Where(s => s.Kind == TransferStepKind.Backup))
                    {
                        covered.AsSpan((int)(b.Address - Origin), b.Length).Fill(true);
                    }

                    foreach (TransferSegment d in transformed.BackupData)
                    {
                        covered.AsSpan((int)(d.Address - Origin), d.Data.Length).Fill(true);
                        d.Data.ToArray().Should().Equal(before.AsSpan((int)(d.Address - Origin), d.Data.Length).ToArray());
                    }

                    foreach (TransferStep b in plan.Steps.Where(s => s.Kind == TransferStepKind.Backup))
                    {
                        covered.AsSpan((int)(b.Address - Origin), b.Length).ToArray().Should().OnlyContain(c => c);
                    }
                }
            }, iter: 300);

    // Runs a plan's erases and writes on a model of the flash: an erase sets its sector to 0xFF; a write lands where
    // the ST ROM computes it from the pointer and wBlockNum, and only on bytes this run erased.
    private static byte[] Run(TransferPlan plan, byte[] flash, int size)
    {
        byte[] memory = flash.ToArray();
        var erased = new bool[size];
        uint pointer = 0;
        foreach (TransferStep step in plan.Steps)
        {
            switch (step.Kind)
            {
                case TransferStepKind.Erase:
                    memory.AsSpan((int)(step.Address - Origin), step.Length).Fill(0xFF);
                    erased.AsSpan((int)(step.Address - Origin), step.Length).Fill(true);
                    break;
                case TransferStepKind.SetAddress:
                    pointer = step.Address;
                    break;
                case TransferStepKind.Write:
                {
                    step.Block.Should().BeInRange(2, ushort.MaxValue);
                    uint at = pointer + (uint)((step.Block - 2) * plan.TransferSize);
                    at.Should().Be(step.Address, "the block number and pointer address the step's bytes");
                    int offset = (int)(at - Origin);
                    erased.AsSpan(offset, step.Length).ToArray().Should().OnlyContain(e => e, "a write lands only in a sector this run erased");
                    plan.GetData(step).Span.CopyTo(memory.AsSpan(offset));
                    break;
                }
            }
        }

        return memory;
    }

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
