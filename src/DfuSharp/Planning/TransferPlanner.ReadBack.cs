using System.Collections.Immutable;
using DfuSharp.DfuSe;

namespace DfuSharp.Planning;

/// <content>Skip-unchanged: the pure transformation of a plan by what its check pass read back.</content>
public static partial class TransferPlanner
{
    // ST's flash reads all ones after an erase: RM0090 §3.6.3 ("erase ... the sector is set to 0xFF"), RM0008 §3.3.3
    // (STM32F1 page erase), PM0075. DfuSe is ST's protocol, and every DfuSe layout DfuSharp knows is such a flash.
    private const byte ErasedValue = 0xFF;

    /// <summary>
    /// Applies the result of a plan's check pass (<see cref="TransferPlan.Check"/>, <see cref="DownloadOptions.SkipUnchanged"/>):
    /// every sector the plan erases whose read-back equals its content after the download is left alone. Pure: the
    /// same plan and bytes give the same plan.
    /// </summary>
    /// <remarks>
    /// <para>A sector's content after the download is the image's bytes where the image has data and the erased value
    /// 0xFF everywhere else in it, because the erase clears the gaps too. Only a sector whose read-back covers all of it
    /// and equals that content byte for byte is unchanged; a sector with no read-back, a short one, or a different byte
    /// is erased and written as planned. A write block that spans two sectors ties them: both stay unless both are
    /// unchanged, because the block cannot be written into a sector that was not erased.</para>
    /// <para>An unchanged sector's erase step becomes a <see cref="TransferStepKind.Keep"/> step (no request), and its
    /// writes and their Set Address Pointer steps go. The remaining writes get their addressing again: with
    /// <see cref="DfuAddressing.AddressOnce"/> a run of blocks that a kept sector interrupts gets a new pointer, and block
    /// numbers restart at 2 after each pointer, so the plan is what the planner would make for the remaining writes.
    /// Verification is untouched: it still reads back the whole image.</para>
    /// <para>The backup: every sector read in full is already read, before anything is erased, so its bytes go to
    /// <see cref="TransferPlan.BackupData"/> and the backup steps no longer read them; the backup file holds the same
    /// bytes as without skip-unchanged, unchanged sectors included (restoring them is harmless, and the file does not
    /// depend on what the check found).</para>
    /// </remarks>
    /// <param name="plan">A plan with a check pass that has not been applied.</param>
    /// <param name="readBack">What the check pass read: bytes at their alternate setting and address. Missing or short
    /// ranges keep their sectors in the plan.</param>
    /// <returns>The plan with <see cref="TransferPlan.ReadBackApplied"/> set.</returns>
    /// <exception cref="ArgumentException">The read-back of <paramref name="plan"/> was already applied.</exception>
    public static TransferPlan ApplyReadBack(TransferPlan plan, IEnumerable<TransferSegment> readBack)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(readBack);
        if (plan.ReadBackApplied)
        {
            throw new ArgumentException("The plan's read-back was already applied.", nameof(plan));
        }

        List<TransferSegment> reads = [.. readBack];
        if (plan.Protocol != DfuProtocolKind.DfuSe || plan.Check.IsEmpty)
        {
            return plan with { ReadBackApplied = true };
        }

        var sectors = plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Distinct().ToList();
        var content = new Dictionary<TransferStep, byte[]>();
        var changed = new HashSet<TransferStep>();
        foreach (TransferStep sector in sectors)
        {
            byte[]? actual = Assemble(reads, sector.AlternateSetting, sector.Address, sector.Length);
            if (actual is null)
            {
                changed.Add(sector);
                continue;
            }

            content[sector] = actual;
            if (!actual.AsSpan().SequenceEqual(AfterDownload(plan, sector)))
            {
                changed.Add(sector);
            }
        }

        // A write that touches a changed sector, or memory no erase covers, keeps every sector it touches.
        var writes = plan.Steps.Where(s => s.Kind == TransferStepKind.Write).ToList();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (TransferStep write in writes)
            {
                var touched = Touched(sectors, write);
                long covered = touched.Sum(s => Overlap(s, write));
                if (covered < write.Length || touched.Any(changed.Contains))
                {
                    foreach (TransferStep sector in touched)
                    {
                        grew |= changed.Add(sector);
                    }
                }
            }
        }

        var kept = sectors.Where(s => !changed.Contains(s)).ToHashSet();
        var read = content.Keys.ToList();
        var segmentStarts = plan.Segments.Select(s => (s.AlternateSetting, s.Address)).ToHashSet();
        var steps = ImmutableArray.CreateBuilder<TransferStep>(plan.Steps.Length);
        TransferStep? previous = null;
        ushort block = DfuSeCommands.FirstDataBlock;
        foreach (TransferStep step in plan.Steps)
        {
            switch (step.Kind)
            {
                case TransferStepKind.Backup:
                    foreach ((uint address, int length) in Subtract(step, read))
                    {
                        steps.Add(step with { Address = address, Length = length });
                    }

                    previous = null;
                    break;
                case TransferStepKind.Erase:
                    steps.Add(kept.Contains(step) ? step with { Kind = TransferStepKind.Keep } : step);
                    previous = null;
                    break;
                case TransferStepKind.SetAddress:
                    // Derived again below, for the writes that remain.
                    break;
                case TransferStepKind.Write:
                {
                    if (Touched(sectors, step).Any(kept.Contains))
                    {
                        break;
                    }

                    // The rules of the planner's writes (ST AN3156 §6.3.6; vitalyvb/usbd-dfu#6, #8): a pointer per block,
                    // or one per contiguous run of full blocks, again before a short block and before wBlockNum wraps.
                    bool pointer = plan.Addressing == DfuAddressing.PerChunk || previous is not { } p
                        || p.AlternateSetting != step.AlternateSetting || p.Length != plan.TransferSize
                        || step.Address != p.Address + (uint)p.Length || step.Length != plan.TransferSize
                        || block == ushort.MaxValue || segmentStarts.Contains((step.AlternateSetting, step.Address));
                    if (pointer)
                    {
                        steps.Add(new TransferStep(TransferStepKind.SetAddress, step.AlternateSetting, step.Address));
                        block = DfuSeCommands.FirstDataBlock;
                    }
                    else
                    {
                        block++;
                    }

                    TransferStep written = step with { Block = block };
                    steps.Add(written);
                    previous = written;
                    break;
                }

                default:
                    steps.Add(step);
                    previous = null;
                    break;
            }
        }

        return plan with
        {
            Steps = steps.ToImmutable(),
            ReadBackApplied = true,
            BackupData = plan.HasBackup
                ? [.. content.OrderBy(c => c.Key.AlternateSetting).ThenBy(c => c.Key.Address)
                    .Select(c => new TransferSegment(c.Key.AlternateSetting, c.Key.Address, c.Value))]
                : [],
        };
    }

    // What a sector holds after the download: the image's bytes, and the erased value in the gaps.
    private static byte[] AfterDownload(TransferPlan plan, TransferStep sector)
    {
        byte[] expected = new byte[sector.Length];
        expected.AsSpan().Fill(ErasedValue);
        ulong start = sector.Address;
        ulong end = start + (ulong)sector.Length;
        foreach (TransferSegment segment in plan.Segments.Where(s => s.AlternateSetting == sector.AlternateSetting))
        {
            ulong from = Math.Max(start, segment.Address);
            ulong to = Math.Min(end, segment.End);
            if (from < to)
            {
                segment.Data.Span.Slice((int)(from - segment.Address), (int)(to - from)).CopyTo(expected.AsSpan((int)(from - start)));
            }
        }

        return expected;
    }

    // The bytes of a range from the read-back, or null when some of it was not read.
    private static byte[]? Assemble(List<TransferSegment> reads, byte alternateSetting, uint address, int length)
    {
        byte[] result = new byte[length];
        ulong position = address;
        ulong end = address + (ulong)length;
        while (position < end)
        {
            TransferSegment? read = reads.FirstOrDefault(r => r.AlternateSetting == alternateSetting && r.Address <= position && position < r.End);
            if (read is null)
            {
                return null;
            }

            ulong to = Math.Min(end, read.End);
            read.Data.Span.Slice((int)(position - read.Address), (int)(to - position)).CopyTo(result.AsSpan((int)(position - address)));
            position = to;
        }

        return result;
    }

    private static List<TransferStep> Touched(List<TransferStep> sectors, TransferStep step)
        => [.. sectors.Where(s => s.AlternateSetting == step.AlternateSetting && Overlap(s, step) > 0)];

    private static long Overlap(TransferStep a, TransferStep b)
    {
        ulong from = Math.Max(a.Address, b.Address);
        ulong to = Math.Min(a.Address + (ulong)a.Length, b.Address + (ulong)b.Length);
        return to > from ? (long)(to - from) : 0;
    }

    // The parts of a backup read that the check pass did not already read.
    private static IEnumerable<(uint Address, int Length)> Subtract(TransferStep step, List<TransferStep> read)
    {
        ulong position = step.Address;
        ulong end = step.Address + (ulong)step.Length;
        foreach (TransferStep r in read.Where(r => r.AlternateSetting == step.AlternateSetting && Overlap(r, step) > 0).OrderBy(r => r.Address))
        {
            if (r.Address > position)
            {
                yield return ((uint)position, (int)(r.Address - position));
            }

            position = Math.Max(position, r.Address + (ulong)r.Length);
        }

        if (position < end)
        {
            yield return ((uint)position, (int)(end - position));
        }
    }
}
