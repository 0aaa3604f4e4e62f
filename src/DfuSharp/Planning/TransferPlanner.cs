using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;

namespace DfuSharp.Planning;

/// <summary>How a DfuSe download erases before it writes.</summary>
public enum DfuSeEraseMode
{
    /// <summary>Erase every sector the data touches, each once (the default).</summary>
    Sectors,

    /// <summary>Erase the whole memory first.</summary>
    Mass,

    /// <summary>Do not erase; the caller knows the memory is blank.</summary>
    None,
}

/// <summary>Options for <see cref="TransferPlanner.PlanDfuSe"/>.</summary>
public sealed record DfuSePlanOptions
{
    /// <summary>Gets wTransferSize. Required.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets how to erase.</summary>
    public DfuSeEraseMode Erase { get; init; } = DfuSeEraseMode.Sectors;

    /// <summary>Gets a value indicating whether every chunk gets its own Set Address Pointer and block 2 (the default,
    /// robust on every ST ROM), or one Set Address Pointer per contiguous segment with blocks 2, 3, ….</summary>
    public bool SetAddressPerChunk { get; init; } = true;

    /// <summary>Gets a value indicating whether to read everything back and compare.</summary>
    public bool Verify { get; init; }

    /// <summary>Gets a value indicating whether to leave DFU mode at the end.</summary>
    public bool Leave { get; init; }

    /// <summary>Gets the jump address for leave; the start of the first segment when <see langword="null"/>.</summary>
    public uint? LeaveAddress { get; init; }
}

/// <summary>Options for <see cref="TransferPlanner.PlanDfu"/>.</summary>
public sealed record DfuPlanOptions
{
    /// <summary>Gets wTransferSize. Required.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets a value indicating whether to read the firmware back and compare after manifestation.</summary>
    public bool Verify { get; init; }

    /// <summary>Gets the alternate setting the firmware goes to.</summary>
    public byte AlternateSetting { get; init; }

    /// <summary>Gets a value indicating whether the device is reset at the end so that it runs the new firmware.</summary>
    public bool Leave { get; init; }
}

/// <summary>Computes <see cref="TransferPlan"/>s. Pure: no transport, no clock, no logger.</summary>
public static class TransferPlanner
{
    /// <summary>Plans a plain DFU 1.1 download: blocks of wTransferSize numbered from 0, then the zero-length end.</summary>
    /// <param name="firmware">The bytes to send.</param>
    /// <param name="options">Transfer size and verification.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The transfer size is not positive or above 65535.</exception>
    public static TransferPlan PlanDfu(ReadOnlyMemory<byte> firmware, DfuPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckTransferSize(options.TransferSize);
        byte alt = options.AlternateSetting;
        var steps = ImmutableArray.CreateBuilder<TransferStep>();
        steps.Add(TransferStep.Select(alt));
        int block = 0;
        for (int offset = 0; offset < firmware.Length; offset += options.TransferSize)
        {
            int length = Math.Min(options.TransferSize, firmware.Length - offset);

            // DFU 1.1 §6.1.1: wBlockNum is a running counter; it wraps modulo 65536 on long plain DFU downloads.
            steps.Add(new TransferStep(TransferStepKind.Write, alt, (uint)offset, length, unchecked((ushort)block++)));
        }

        steps.Add(new TransferStep(TransferStepKind.Manifest, alt));
        if (options.Verify && firmware.Length > 0)
        {
            steps.Add(new TransferStep(TransferStepKind.Verify, alt, 0, firmware.Length));
        }

        if (options.Leave)
        {
            steps.Add(new TransferStep(TransferStepKind.Leave, alt));
        }

        return new TransferPlan
        {
            Protocol = DfuProtocolKind.Dfu,
            TransferSize = options.TransferSize,
            Steps = steps.ToImmutable(),
            Segments = [new TransferSegment(alt, 0, firmware)],
        };
    }

    /// <summary>
    /// Plans a DfuSe download (ST AN3156): the erase set (every touched sector exactly once), addressed writes (never a
    /// block number that wraps to 0, never a short block except the last of a contiguous segment), verify and leave.
    /// </summary>
    /// <param name="image">The DfuSe targets.</param>
    /// <param name="layouts">The memory layout of each alternate setting the image uses.</param>
    /// <param name="options">Transfer size and policies.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">A target's alternate setting has no layout, or data lies outside the
    /// layout or in a sector that is not writable; the message and <see cref="DfuFileMismatchException.Address"/> name the address.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The transfer size is not positive or above 65535.</exception>
    public static TransferPlan PlanDfuSe(
        DfuSeImage image, IReadOnlyDictionary<byte, DfuSeMemoryLayout> layouts, DfuSePlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layouts);
        ArgumentNullException.ThrowIfNull(options);
        CheckTransferSize(options.TransferSize);

        var segments = MergeSegments(image);
        var steps = ImmutableArray.CreateBuilder<TransferStep>();
        foreach (IGrouping<byte, TransferSegment> target in segments.GroupBy(s => s.AlternateSetting))
        {
            byte alt = target.Key;
            if (!layouts.TryGetValue(alt, out DfuSeMemoryLayout? layout))
            {
                throw new DfuFileMismatchException($"The file has a target for alternate setting {alt}, which the device does not have.");
            }

            steps.Add(TransferStep.Select(alt));
            var erase = new SortedDictionary<uint, DfuSeSector>();
            foreach (TransferSegment segment in target)
            {
                foreach (DfuSeSector sector in SectorsOf(layout, segment))
                {
                    if ((sector.Access & DfuSeSectorAccess.Writable) == 0)
                    {
                        uint first = Math.Max(sector.Address, segment.Address);
                        throw new DfuFileMismatchException(
                            $"Address 0x{first:X8} is in a sector of \"{layout.Name}\" at 0x{sector.Address:X8} that is not writable.")
                        { Address = first };
                    }

                    if ((sector.Access & DfuSeSectorAccess.Erasable) != 0)
                    {
                        erase.TryAdd(sector.Address, sector);
                    }
                }
            }

            if (options.Erase == DfuSeEraseMode.Mass)
            {
                steps.Add(new TransferStep(TransferStepKind.MassErase, alt));
            }
            else if (options.Erase == DfuSeEraseMode.Sectors)
            {
                steps.AddRange(erase.Values.Select(s => new TransferStep(TransferStepKind.Erase, alt, s.Address, (int)s.Size)));
            }

            foreach (TransferSegment segment in target)
            {
                AddWrites(steps, segment, options);
            }

            if (options.Verify)
            {
                steps.AddRange(target.Select(s => new TransferStep(TransferStepKind.Verify, alt, s.Address, s.Data.Length)));
            }
        }

        if (options.Leave)
        {
            byte alt = segments.Length > 0 ? segments[0].AlternateSetting : (byte)0;
            uint address = options.LeaveAddress ?? (segments.Length > 0 ? segments[0].Address : 0);
            if (steps.Count > 0 && steps[^1].AlternateSetting != alt)
            {
                steps.Add(TransferStep.Select(alt));
            }

            steps.Add(new TransferStep(TransferStepKind.Leave, alt, address));
        }

        return new TransferPlan
        {
            Protocol = DfuProtocolKind.DfuSe,
            TransferSize = options.TransferSize,
            Steps = steps.ToImmutable(),
            Segments = segments,
        };
    }

    /// <summary>Plans the erase of a range: every sector it touches, each once.</summary>
    /// <param name="layout">The memory layout.</param>
    /// <param name="alternateSetting">The alternate setting.</param>
    /// <param name="address">The first address.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The <see cref="TransferStepKind.Erase"/> steps in address order.</returns>
    /// <exception cref="DfuFileMismatchException">Part of the range is outside the layout or not erasable.</exception>
    public static ImmutableArray<TransferStep> PlanErase(DfuSeMemoryLayout layout, byte alternateSetting, uint address, ulong length)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var sectors = SectorsOf(layout, new TransferSegment(alternateSetting, address, ReadOnlyMemory<byte>.Empty), length);
        foreach (DfuSeSector sector in sectors)
        {
            if ((sector.Access & DfuSeSectorAccess.Erasable) == 0)
            {
                throw new DfuFileMismatchException(
                    $"The sector at 0x{sector.Address:X8} of \"{layout.Name}\" cannot be erased.") { Address = sector.Address };
            }
        }

        return [.. sectors.Select(s => new TransferStep(TransferStepKind.Erase, alternateSetting, s.Address, (int)s.Size))];
    }

    private static ImmutableArray<DfuSeSector> SectorsOf(DfuSeMemoryLayout layout, TransferSegment segment, ulong? length = null)
    {
        try
        {
            return layout.GetSectors(segment.Address, length ?? (ulong)segment.Data.Length);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            uint first = segment.Address;
            ulong end = segment.Address + (length ?? (ulong)segment.Data.Length);
            for (ulong a = segment.Address; a < end;)
            {
                DfuSeSector? s = a <= uint.MaxValue ? layout.FindSector((uint)a) : null;
                if (s is null)
                {
                    first = (uint)Math.Min(a, uint.MaxValue);
                    break;
                }

                a = s.Value.End;
            }

            throw new DfuFileMismatchException(
                $"Address 0x{first:X8} is outside the memory layout \"{layout.Name}\".", ex) { Address = first };
        }
    }

    private static void AddWrites(ImmutableArray<TransferStep>.Builder steps, TransferSegment segment, DfuSePlanOptions options)
    {
        int size = options.TransferSize;
        ushort block = DfuSeCommands.FirstDataBlock;
        for (int offset = 0; offset < segment.Data.Length; offset += size)
        {
            uint address = segment.Address + (uint)offset;
            int length = Math.Min(size, segment.Data.Length - offset);

            // ST AN3156 §6.3.6: block 0 is a command and block 1 is reserved, so a pointer is set again rather than
            // letting wBlockNum wrap past 0xFFFF.
            if (options.SetAddressPerChunk || offset == 0 || block == ushort.MaxValue)
            {
                steps.Add(new TransferStep(TransferStepKind.SetAddress, segment.AlternateSetting, address));
                block = DfuSeCommands.FirstDataBlock;
            }
            else
            {
                block++;
            }

            steps.Add(new TransferStep(TransferStepKind.Write, segment.AlternateSetting, address, length, block));
        }
    }

    // Elements that touch or overlap are merged (later bytes win), so a short block appears only at the end of a
    // contiguous run, never in its middle.
    private static ImmutableArray<TransferSegment> MergeSegments(DfuSeImage image)
    {
        var result = ImmutableArray.CreateBuilder<TransferSegment>();
        foreach (IGrouping<byte, DfuSeElementAt> byAlt in image.Targets
                     .SelectMany(t => t.Elements.Select(e => new DfuSeElementAt(t.AlternateSetting, e)))
                     .Where(e => e.Element.Data.Length > 0)
                     .GroupBy(e => e.AlternateSetting))
        {
            var ordered = byAlt.OrderBy(e => e.Element.Address).ToList();
            int i = 0;
            while (i < ordered.Count)
            {
                uint start = ordered[i].Element.Address;
                ulong end = start + (ulong)ordered[i].Element.Data.Length;
                int j = i + 1;
                while (j < ordered.Count && ordered[j].Element.Address <= end)
                {
                    end = Math.Max(end, ordered[j].Element.Address + (ulong)ordered[j].Element.Data.Length);
                    j++;
                }

                if (j == i + 1)
                {
                    result.Add(new TransferSegment(byAlt.Key, start, ordered[i].Element.Data));
                }
                else
                {
                    byte[] merged = new byte[checked((int)(end - start))];
                    merged.AsSpan().Fill(0xFF);

                    // Apply in file order so a later element overrides an earlier one where they overlap.
                    foreach (DfuSeElementAt e in byAlt.Where(e => e.Element.Address >= start && e.Element.Address < end))
                    {
                        e.Element.Data.Span.CopyTo(merged.AsSpan((int)(e.Element.Address - start)));
                    }

                    result.Add(new TransferSegment(byAlt.Key, start, merged));
                }

                i = j;
            }
        }

        return result.ToImmutable();
    }

    private static void CheckTransferSize(int transferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transferSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(transferSize, ushort.MaxValue);
    }

    private readonly record struct DfuSeElementAt(byte AlternateSetting, DfuSeElement Element);
}
